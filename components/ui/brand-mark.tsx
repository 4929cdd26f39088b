import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** The product's mark: the accent square with its initial, as the sidebar and sign-in show it. */
export const BrandMark = ({ className, ...props }: ComponentProps<"div">) => (
  <div data-slot="brand-mark" aria-hidden className={cn("flex size-10 shrink-0 items-center justify-center rounded-lg bg-accent font-bold text-accent-foreground", className)} {...props}>L</div>
);
