import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { HelpText } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/time";
import type { OutboxEmail } from "@/lib/email/outbox";

/** Emails written to the development outbox, so the review-link flow works without Resend. */
export function OutboxSection({ emails }: { emails: OutboxEmail[] }) {
  return (
    <Card data-testid="outbox">
      <CardHeader><CardTitle>Development outbox</CardTitle><HelpText>RESEND_API_KEY is unset, so emails are kept here instead of sent. You read the ones sent to you; their review links work. Other people&rsquo;s links are theirs alone.</HelpText></CardHeader>
      <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        {emails.map((e) => (
          <li key={e.id} className="px-4 py-2">
            <details>
              <summary className="cursor-pointer"><span className="font-medium">{e.subject}</span> <span className="text-zinc-500">to {e.to} · <RelativeTime date={e.writtenAt} /></span></summary>
              {e.text === null
                ? <p className="mt-2 text-xs text-zinc-500">Sent to {e.to}: only they read it here, signed in as themselves.</p>
                : <pre className="mt-2 text-xs whitespace-pre-wrap">{e.text}</pre>}
            </details>
          </li>
        ))}
        {emails.length === 0 && <li className="px-4 py-2 text-zinc-500">No email yet.</li>}
      </ul>
    </Card>
  );
}
