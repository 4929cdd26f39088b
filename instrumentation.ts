// Next calls register() once per server process. Under `npm run dev` this does the start-up
// work `server.ts` does for `npm start` (under `npm start` it finds it already done).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startLedgixInNext } = await import("./lib/start-up");
  await startLedgixInNext();
}
