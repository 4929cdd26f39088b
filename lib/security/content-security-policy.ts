import { randomBytes } from "node:crypto";

/**
 * A page's policy: scripts only with this request's nonce (Next.js adds it to its own
 * scripts when it finds it in the request's policy header), never inline or framed.
 * Styles keep 'unsafe-inline': Next and React inject style attributes that carry no nonce.
 */
export function contentSecurityPolicy(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    // The service worker (public/sw.js); without this, script-src's 'strict-dynamic' would govern it.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const newNonce = () => randomBytes(16).toString("base64");
