// `npm start`: builds when the sources or dependencies changed since the last build
// (scripts/build.mjs keeps the stamp), then runs the server in this same process, so the PID
// that npm starts (its script `exec`s this) is the server's, and a stop signal reaches it.
import path from "node:path";
import { register } from "tsx/esm/api";
import { buildOrExit, isBuildCurrent, root } from "./build.mjs";

if (isBuildCurrent()) console.log("ledgix: the build is current, starting it");
else await buildOrExit();
register({ tsconfig: path.join(root, "tsconfig.json") });
await import("../server.ts");
