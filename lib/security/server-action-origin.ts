/**
 * Whether a server action call may go on to Next.js. Next.js refuses an action whose Origin
 * differs from the Host, but lets one with no Origin at all through, on the theory that only
 * a handcrafted request lacks it. Every browser that runs our pages sends Origin (and
 * Sec-Fetch-Site) on the fetch that carries `Next-Action`, so a call without them is not one
 * of ours: refuse it rather than run a state change on whatever cookie came with it.
 */
export function isRefusedServerAction(headers: Headers): boolean {
  if (!headers.has("next-action")) return false;
  const site = headers.get("sec-fetch-site");
  if (site) return site !== "same-origin";
  const origin = headers.get("origin");
  return !origin || origin === "null";
}
