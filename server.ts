// Ledgix server: opens (and migrates) the database, then serves the Next.js app.
// `npm start` builds and runs this; `npm run serve` runs it on an existing build.
import { createServer, type IncomingMessage } from "node:http";
import next from "next";
import { startAdminSocket } from "@/lib/admin/socket-server";
import { resumeProcessing } from "@/lib/clearance/resume-processing";
import { closeDb, db } from "@/lib/db";
import { env } from "@/lib/env";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { startSequencer } from "@/lib/ledger/sequencer";
import { printFirstStartHelp } from "@/lib/admin/first-start";
import { ApiError } from "@/lib/api/errors";
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

const config = env();
const database = await db();
await activeSigningKey(database.prisma, "token");
await activeSigningKey(database.prisma, "ledger");
const resumed = await resumeProcessing(database.prisma);
if (resumed > 0) console.log(`ledgix: decided ${resumed} request(s) left processing by the last run`);

const stopSequencer = startSequencer(database.prisma, {
  intervalMs: config.LEDGIX_SEQUENCER_INTERVAL_MS,
  checkpointIntervalMs: config.LEDGIX_CHECKPOINT_INTERVAL_MS,
  mmdSeconds: config.LEDGIX_LEDGER_MMD_SECONDS,
  batchSize: config.LEDGIX_SEQUENCER_BATCH,
});

const app = next({ dev: false, dir: process.cwd() });
await app.prepare();
const handle = app.getRequestHandler();

// The failed-authentication limits count per client address: the connection's, or behind a
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
  setSecurityHeaders(res, req.url.split("?")[0]!, config.LEDGIX_PUBLIC_URL);
  if (!hasValidPercentEncoding(req.url)) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify(new ApiError("invalid_request", "The URL has malformed percent-encoding.").toBody()));
    return;
  }
  void handle(req, res);
});
await new Promise<void>((resolve) => server.listen(config.PORT, resolve));
const admin = database.kind === "embedded" ? await startAdminSocket(config.dataDir, database.prisma) : undefined;

const where = database.kind === "embedded" ? `embedded database in ${config.dataDir}` : "PostgreSQL";
console.log(`ledgix: listening on http://localhost:${config.PORT} (${where})`);
await printFirstStartHelp(database.prisma, config.PORT);

async function shutdown(signal: string) {
  console.log(`ledgix: ${signal}, shutting down`);
  admin?.close();
  server.close();
  server.closeAllConnections();
  await stopSequencer();
  await closeDb();
  process.exit(0);
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
