import type { ServerResponse } from "node:http";

export const TILES_PREFIX = "/api/ledger/tiles/";

/**
 * Headers every response carries (issue 7, finding 7). Set on the Node response before
 * Next handles it, so route handlers, pages, Next's own 404s and the server's early
 * answers all get them.
 */
export function setSecurityHeaders(res: ServerResponse, pathname: string, publicUrl: string | undefined): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  // API answers carry tokens, keys or tenant data; the JWKS is public but tiny. Tiles are
  // immutable and made to be cached: their route sets its own (lib/ledger/routes.ts).
  if ((pathname.startsWith("/api/") || pathname === "/api") && !pathname.startsWith(TILES_PREFIX)) res.setHeader("Cache-Control", "no-store");
  if (publicUrl?.startsWith("https://")) res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
}
