// Next calls register() once per server process. Under `npm run dev` this does the start-up
// work `server.ts` does for `npm start` (under `npm start` it finds it already done).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startLedgix } = await import("./lib/start-up");
  const running = await startLedgix();
  if (process.env.NODE_ENV !== "development") return; // server.ts owns shutdown in production
  const shutdown = () => void running.stop().finally(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
