// `node --import ./scripts/cpu-profile-preload.mjs`: what `--cpu-prof` does, for a process started
// through NODE_OPTIONS, where Node 20 refuses `--cpu-prof`. Profiles from the start and writes
// <CPU_PROFILE_DIR>/<pid>.cpuprofile as the process exits, however it is stopped.
import fs from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.start");
process.on("exit", () => {
  // A session in the process's own thread answers synchronously, so this runs before exit.
  session.post("Profiler.stop", (error, result) => {
    if (error) return console.error(`cpu profile: ${error.message}`);
    fs.writeFileSync(path.join(process.env.CPU_PROFILE_DIR ?? ".", `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
