import { cn } from "@/lib/utils";

const STYLES: Record<string, { label: string; className: string }> = {
  approved: { label: "approved", className: "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300" },
  denied: { label: "denied", className: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-950 dark:text-red-300" },
  pending_review: { label: "pending review", className: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-300" },
  processing: { label: "processing", className: "bg-blue-50 text-blue-700 ring-blue-600/20 dark:bg-blue-950 dark:text-blue-300" },
};

/** The four statuses, always in the same words and colours; text, never colour alone. */
export function StatusBadge({ status }: { status: string }) {
  const style = STYLES[status] ?? { label: status, className: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300" };
  return (
    <span data-slot="status-badge" className={cn("inline-flex shrink-0 items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset", style.className)}>
      {status === "processing" && <span className="size-1.5 animate-pulse rounded-full bg-current" />}
      {style.label}
    </span>
  );
}

export const Badge = ({ children, className }: { children: React.ReactNode; className?: string }) => (
  <span className={cn("inline-flex items-center rounded-md bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300", className)}>{children}</span>
);
