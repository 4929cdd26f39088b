import { publicUrl } from "./public-url";

/**
 * Whether a state-changing request comes from one of our own pages. Browsers name the
 * requesting site in Sec-Fetch-Site; without it, the Origin header must be ours (the
 * public URL or the Host the request came to). `allowMissingOrigin` admits requests that
 * carry neither, as old browsers send them and under our no-referrer policy a form's Origin
 * is "null": only for a form whose own secret (a review link) is the authority.
 */
export function isSameOrigin(req: Request, { allowMissingOrigin = false } = {}): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return allowMissingOrigin;
  const own = [new URL(publicUrl()).origin, `${new URL(req.url).protocol}//${req.headers.get("host")}`];
  return own.includes(origin);
}
