// `npm start`: builds when the sources or dependencies changed since the last build
// (scripts/build.mjs keeps the stamp), then runs the server in this same process, so the PID
// that npm starts (its script `exec`s this) is the server's, and a stop signal reaches it.
import { buildOrExit, isBuildCurrent } from "./build.mjs";

if (isBuildCurrent()) console.log("ledgix: the build is current, starting it");
else await buildOrExit();
await import("../server.mjs");
