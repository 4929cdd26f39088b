import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

const field = "w-full rounded-md border border-zinc-300 bg-white px-3 text-sm shadow-xs placeholder:text-zinc-400 disabled:opacity-50 aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900";

export const Input = ({ className, ...props }: ComponentProps<"input">) => <input data-slot="input" className={cn(field, "h-9", className)} {...props} />;

export const Textarea = ({ className, ...props }: ComponentProps<"textarea">) => <textarea data-slot="textarea" className={cn(field, "py-2", className)} {...props} />;

export const Select = ({ className, ...props }: ComponentProps<"select">) => <select data-slot="select" className={cn(field, "h-9", className)} {...props} />;

export const Label = ({ className, ...props }: ComponentProps<"label">) => (
  <label data-slot="label" className={cn("text-sm font-medium", className)} {...props} />
);

export const HelpText = ({ className, ...props }: ComponentProps<"p">) => <p className={cn("text-xs text-zinc-500 dark:text-zinc-400", className)} {...props} />;

export const FieldError = ({ className, ...props }: ComponentProps<"p">) => <p role="alert" className={cn("text-xs text-red-600 dark:text-red-400", className)} {...props} />;
