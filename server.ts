// Ledgix server: `npm run serve` runs this on an existing build, `npm start` (scripts/start.mjs)
// after building when the sources changed. (`npm run dev` does the same start-up work through
// instrumentation.ts.)
//
// React and Next.js choose their production or development builds from NODE_ENV when they first
// load, so it is set before anything imports them. Left unset (as npm leaves it), React's
// development build met the production one Next uses, and every email failed to render.
Object.assign(process.env, { NODE_ENV: "production" });
await import("./lib/server/serve");
export {};
