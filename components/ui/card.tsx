import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

export const Card = ({ className, ...props }: ComponentProps<"section">) => (
  <section data-slot="card" className={cn("rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900", className)} {...props} />
);

export const CardHeader = ({ className, ...props }: ComponentProps<"header">) => (
  <header data-slot="card-header" className={cn("border-b border-zinc-200 px-4 py-3 dark:border-zinc-800", className)} {...props} />
);

export const CardTitle = ({ className, ...props }: ComponentProps<"h2">) => <h2 className={cn("text-sm font-semibold", className)} {...props} />;

export const Skeleton = ({ className, ...props }: ComponentProps<"div">) => (
  <div data-slot="skeleton" aria-hidden className={cn("animate-pulse rounded-md bg-zinc-200 dark:bg-zinc-800", className)} {...props} />
);
