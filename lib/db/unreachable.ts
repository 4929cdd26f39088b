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
