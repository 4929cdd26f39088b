/**
 * Fixed-window counters in process memory. Enough for one server; several instances
 * each allow the limit (the security issue may replace this with a shared store).
 */
const windows = new Map<string, { count: number; resetAt: number }>();

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Counts one attempt for `key`; returns the seconds to wait when over the limit, else 0. */
export function hitRateLimit(key: string, { limit, windowMs }: RateLimit, now = Date.now()): number {
  if (windows.size > 10_000) for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
  const current = windows.get(key);
  const window = current && current.resetAt > now ? current : { count: 0, resetAt: now + windowMs };
  window.count += 1;
  windows.set(key, window);
  return window.count > limit ? Math.ceil((window.resetAt - now) / 1000) : 0;
}
