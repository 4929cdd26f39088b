const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "ECONNRESET", "EHOSTUNREACH", "28P01", "28000", "3D000"]);

/** The URL without its password, fit for messages and logs. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** One line naming DATABASE_URL when `error` means it cannot be reached or logged into; else undefined. */
export function unreachableDatabaseMessage(error: unknown, url: string): string | undefined {
  if (!CONNECTION_ERRORS.has((error as { code?: string }).code ?? "")) return undefined;
  return `Cannot reach the database at DATABASE_URL (${redactedUrl(url)}): ${(error as Error).message || (error as { code: string }).code}`;
}

// A lost or refused connection, as pg (socket codes, SQLSTATE class 08 and 57P0x: the server
// shutting down, starting up or in recovery), Prisma (P1001 cannot reach, P1017 closed, P2024
// pool timeout) and its pg adapter (`kind`) report it.
const OUTAGE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE", "EAI_AGAIN",
  "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "P1001", "P1002", "P1008", "P1017", "P2024",
]);
const OUTAGE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
// pg's own errors for a dropped socket carry no code.
const OUTAGE_MESSAGE = /Connection terminated|Connection ended|Client has encountered a connection error|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection/i;

type Reported = { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };

/** Whether `error` (or what it wraps) means the database is down or unreachable, not that a statement failed. */
export function isDatabaseOutage(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const e = error as Reported;
  if (OUTAGE_CODES.has(String(e.code)) || OUTAGE_CODES.has(String(e.originalCode)) || OUTAGE_KINDS.has(String(e.kind))) return true;
  if (typeof e.message === "string" && OUTAGE_MESSAGE.test(e.message)) return true;
  return isDatabaseOutage(e.cause, depth + 1) || isDatabaseOutage(e.meta?.driverAdapterError, depth + 1);
}
