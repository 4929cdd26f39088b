import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { HelpText } from "@/components/ui/input";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import type { listDeliveries } from "@/lib/deliveries/deliveries";
import type { listWebhookEndpoints } from "@/lib/webhooks/endpoints";
import { WEBHOOK_EVENTS } from "@/lib/webhooks/endpoints";
import { removeWebhookAction, resendDeliveryAction } from "@/lib/webhooks/actions";
import { WebhookForm } from "./webhook-form";

type Endpoint = Awaited<ReturnType<typeof listWebhookEndpoints>>[number];
type Delivery = Awaited<ReturnType<typeof listDeliveries>>[number];

const STATUS_CLASS: Record<string, string> = {
  delivered: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  pending: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  skipped: "bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400",
};

export function WebhooksSection({ endpoints, disabled }: { endpoints: Endpoint[]; disabled: boolean }) {
  return (
    <Card data-testid="webhooks">
      <CardHeader><CardTitle>Webhooks</CardTitle><HelpText>Signed HTTP POSTs to your own systems, retried with backoff for 28 hours.</HelpText></CardHeader>
      <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        {endpoints.map((e) => (
          <li key={e.id} className="flex items-center justify-between gap-4 px-4 py-2">
            <div><p className="font-mono text-xs">{e.url}</p><p className="text-xs text-zinc-500">{e.events.join(", ")}</p></div>
            {!disabled && <form action={removeWebhookAction}><input type="hidden" name="id" value={e.id} /><Button type="submit" size="sm" variant="destructive">Remove</Button></form>}
          </li>
        ))}
        {endpoints.length === 0 && <li className="px-4 py-2 text-zinc-500">No endpoint yet.</li>}
      </ul>
      {!disabled && <WebhookForm events={WEBHOOK_EVENTS} />}
    </Card>
  );
}

/** Every email, Slack message and webhook sent for the tenant, newest first; a webhook can be resent. */
export function DeliveryLog({ deliveries, disabled }: { deliveries: Delivery[]; disabled: boolean }) {
  return (
    <Card data-testid="delivery-log">
      <CardHeader><CardTitle>Delivery log</CardTitle><HelpText>The last 100 deliveries. A failed one is retried on its own; Resend sends a webhook again now.</HelpText></CardHeader>
      <table className="w-full text-left text-xs">
        <thead className="text-zinc-500"><tr><th className="px-4 py-2">When</th><th>Channel</th><th>Event</th><th>To</th><th>Status</th><th>Attempts</th><th>Last answer</th><th /></tr></thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td className="px-4 py-2"><RelativeTime date={d.createdAt} /></td>
              <td>{d.channel}</td>
              <td className="font-mono">{d.event}</td>
              <td className="max-w-48 truncate">{d.target}</td>
              <td><Badge className={STATUS_CLASS[d.status]}>{d.status}</Badge></td>
              <td>{d.attempts}</td>
              <td className="max-w-80 py-2 pr-2 break-words" data-testid="delivery-answer">{d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : "")}</td>
              <td className="pr-4">
                {d.channel === "webhook" && !disabled && (
                  <form action={resendDeliveryAction}><input type="hidden" name="id" value={d.id} /><Button type="submit" size="sm" variant="outline">Resend</Button></form>
                )}
              </td>
            </tr>
          ))}
          {deliveries.length === 0 && <tr><td colSpan={8} className="px-4 py-2 text-zinc-500">Nothing sent yet.</td></tr>}
        </tbody>
      </table>
    </Card>
  );
}
