// Next calls register() once per server process. Under `npm run dev` this does the start-up
// work `server.mjs` does for `npm start`. Under `npm start` that work is done already: looking
// for it on globalThis (lib/start-up.ts keeps it there) spares loading a second copy of lib/.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if ((globalThis as { __ledgixRunning?: unknown }).__ledgixRunning) return;
  const { startLedgixInNext } = await import("./lib/start-up");
  await startLedgixInNext();
}
