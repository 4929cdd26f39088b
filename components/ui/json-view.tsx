import type { ReactNode } from "react";
import { EMPHASISED } from "@/lib/review/args-summary";
import { cn } from "@/lib/utils";

/** Formatted JSON with amounts, currencies and identifiers easy to read. */
export function JsonView({ value, className }: { value: unknown; className?: string }) {
  return (
    <pre data-slot="json" className={cn("overflow-x-auto rounded-md bg-zinc-50 p-3 font-mono text-[13px] leading-relaxed dark:bg-zinc-950", className)}>
      {render(value, 0, undefined)}
    </pre>
  );
}

function render(value: unknown, depth: number, key: string | undefined): ReactNode {
  const pad = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return <>[{"\n"}{value.map((v, i) => <span key={i}>{pad}{render(v, depth + 1, key)}{i < value.length - 1 ? "," : ""}{"\n"}</span>)}{close}]</>;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return (
      <>{"{"}{"\n"}{entries.map(([k, v], i) => (
        <span key={k}>{pad}<span className="text-zinc-500">{JSON.stringify(k)}</span>: {render(v, depth + 1, k)}{i < entries.length - 1 ? "," : ""}{"\n"}</span>
      ))}{close}{"}"}</>
    );
  }
  const strong = key !== undefined && EMPHASISED.test(key);
  const colour = typeof value === "number" ? "text-blue-700 dark:text-blue-300" : typeof value === "string" ? "text-emerald-700 dark:text-emerald-300" : "text-purple-700 dark:text-purple-300";
  return <span className={cn(colour, strong && "rounded bg-amber-100 px-1 font-semibold dark:bg-amber-900/50")}>{JSON.stringify(value)}</span>;
}
