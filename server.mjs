// Ledgix server: `npm run serve` runs this on an existing build, `npm start` (scripts/start.mjs)
// after building when the sources changed. (`npm run dev` does the same start-up work through
// instrumentation.ts.) It runs the server that the build compiled (lib/server/serve.ts), or
// that file through tsx when the sources changed since the build.
//
// React and Next.js choose their production or development builds from NODE_ENV when they first
// load, so it is set before anything imports them. Left unset (as npm leaves it), React's
// development build met the production one Next uses, and every email failed to render.
import { importEntry } from "./scripts/build.mjs";

process.env.NODE_ENV = "production";
await importEntry("server");
