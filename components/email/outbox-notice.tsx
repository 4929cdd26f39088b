import { Mail } from "lucide-react";
import { usesOutbox } from "@/lib/email/outbox";
import { outboxDir } from "@/lib/email/send-email";
import { cn } from "@/lib/utils";

/** On a screen that sends email: while RESEND_API_KEY is unset, where the messages went instead. Nothing otherwise. */
export function OutboxNotice({ className }: { className?: string }) {
  if (!usesOutbox()) return null;
  return (
    <p role="note" data-testid="outbox-notice" className={cn("flex gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/60 dark:text-amber-200", className)}>
      <Mail className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>Email is not configured: messages go to <code className="font-mono text-xs break-all">{outboxDir()}</code>. Set RESEND_API_KEY to send them.</span>
    </p>
  );
}
