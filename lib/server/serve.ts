// The Ledgix server that server.mjs loads (once NODE_ENV is set): does the start-up work
// (database, migrations, workers, sequencer), then serves the Next.js app.
import { createServer, type IncomingMessage } from "node:http";
import next from "next";
import { printFirstStartHelp } from "@/lib/admin/first-start";
import { ApiError } from "@/lib/api/errors";
import { routeUnroutableMethod } from "@/lib/api/fallbacks";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { startLedgix, startupProblem } from "@/lib/start-up";
import { CLIENT_ADDRESS_HEADER } from "@/lib/api/handler";
import { setSecurityHeaders } from "@/lib/security/headers";

// Next cannot route a path whose escapes do not decode; it would answer a bare 500.
function hasValidPercentEncoding(url: string): boolean {
  try {
    decodeURIComponent(url.split("?")[0]!);
    return true;
  } catch {
    return false;
  }
}

// A problem the operator can fix gets one line and exit code 1, not a stack trace.
function exitOn(error: unknown): never {
  const problem = startupProblem(error);
  if (!problem) throw error;
  console.error(`ledgix: ${problem}`);
  process.exit(1);
}

const config = (() => {
  try {
    return env();
  } catch (error) {
    exitOn(error);
  }
})();
const running = await startLedgix().catch(exitOn);
const database = await db();

// The port lets Next fetch its own pages (a server action that redirects) on this server, not on :3000.
const app = next({ dev: false, dir: process.cwd(), port: config.PORT });
await app.prepare();
const handle = app.getRequestHandler();

// The failed-authentication and sign-in limits count per client address: the connection's, or behind a
// reverse proxy the last entry of the configured header (the one the proxy itself added).
function clientAddress(req: IncomingMessage): string {
  const forwarded = config.LEDGIX_CLIENT_ADDRESS_HEADER ? req.headers[config.LEDGIX_CLIENT_ADDRESS_HEADER] : undefined;
  const value = Array.isArray(forwarded) ? forwarded.at(-1) : forwarded;
  return value?.split(",").at(-1)?.trim() || req.socket.remoteAddress || "unknown";
}

const server = createServer((req, res) => {
  // Clients that join a base URL ending in "/" send "//path" (protocol §1.1).
  req.url = (req.url ?? "/").replace(/\/{2,}/g, "/");
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req);
  // Next.js checks a server action's Origin against X-Forwarded-Host when present: only a
  // configured proxy (LEDGIX_CLIENT_ADDRESS_HEADER says there is one) may set it.
  if (!config.LEDGIX_CLIENT_ADDRESS_HEADER) delete req.headers["x-forwarded-host"];
  setSecurityHeaders(res, req.url.split("?")[0]!, config.LEDGIX_PUBLIC_URL);
  routeUnroutableMethod(req);
  if (!hasValidPercentEncoding(req.url)) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify(new ApiError("invalid_request", "The URL has malformed percent-encoding.").toBody()));
    return;
  }
  void handle(req, res);
});
// Agents and gateways keep a connection open between calls. Node closes an idle one after 5 s,
// and a request sent as it closes fails with ECONNRESET (a browser test saw it, after a 5 s
// wait for a checkpoint); proxies and load balancers idle for 60 s, so the server waits longer.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
await new Promise<void>((resolve) => server.listen(config.PORT, resolve).once("error", async (error: NodeJS.ErrnoException) => {
  if (error.code !== "EADDRINUSE") throw error;
  console.error(`ledgix: port ${config.PORT} is in use (set PORT to another one)`);
  await running.stop();
  process.exit(1);
}));

const where = database.kind === "embedded" ? `embedded PostgreSQL in ${config.dataDir}` : "PostgreSQL";
console.log(`ledgix: listening on http://localhost:${config.PORT} (${where})`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`ledgix: ${signal}, shutting down`);
  server.close();
  server.closeAllConnections();
  try {
    await running.stop();
  } catch (error) {
    console.error("ledgix: shutdown failed:", error);
    process.exit(1);
  }
  process.exit(0);
}
// Ctrl-C in a terminal signals npm and the server both, and npm passes its copy on: a second
// signal while stopping is ignored (with `once`, it killed the server before it had stopped the
// embedded PostgreSQL, which then ran on for nobody).
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
// Only once a stop is handled: a SIGTERM while this still read the database used to kill the
// process outright, leaving the embedded PostgreSQL it had started running. A stop may close
// the database under it; that is not a failure.
await printFirstStartHelp(database.prisma, config.PORT).catch((error: unknown) => {
  if (!stopping) throw error;
});
