"use client";
import { useSyncExternalStore } from "react";

// One shared clock that ticks every 15 s, so relative times stay true on an open page.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => { now = Date.now(); listeners.forEach((l) => l()); }, 15_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) { clearInterval(timer); timer = undefined; }
  };
}
const clientNow = () => now;
const serverNow = () => Date.now();

/** "3 min ago" with the exact UTC time on hover. */
export function RelativeTime({ date }: { date: Date | string }) {
  const current = useSyncExternalStore(subscribe, clientNow, serverNow);
  const d = new Date(date);
  return (
    <time dateTime={d.toISOString()} title={d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")} suppressHydrationWarning>
      {relative(d.getTime(), Math.max(current, d.getTime()))}
    </time>
  );
}

export function relative(then: number, at: number): string {
  const s = Math.round((at - then) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
