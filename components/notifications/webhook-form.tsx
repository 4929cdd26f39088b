"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { FieldError, HelpText, Input, Label } from "@/components/ui/input";
import { createWebhookAction, type WebhookFormState } from "@/lib/webhooks/actions";

/** Adds an endpoint and shows its signing secret the one time it exists in clear. */
export function WebhookForm({ events }: { events: readonly string[] }) {
  const [state, action, pending] = useActionState<WebhookFormState, FormData>(createWebhookAction, {});
  return (
    <form action={action} className="space-y-3 p-4" data-testid="webhook-form">
      <div className="space-y-1.5">
        <Label htmlFor="webhook-url">Endpoint URL</Label>
        <Input id="webhook-url" name="url" type="url" required placeholder="https://example.com/ledgix/events" autoComplete="off" />
        <HelpText>Public http(s) addresses only. Each delivery is signed: X-Ledgix-Signature: sha256=…</HelpText>
      </div>
      <fieldset className="flex flex-wrap gap-3 text-sm">
        <legend className="mb-1 text-xs text-zinc-500">Events</legend>
        {events.map((event) => (
          <label key={event} className="flex items-center gap-1.5 font-mono text-xs"><input type="checkbox" name="events" value={event} defaultChecked />{event}</label>
        ))}
      </fieldset>
      {state.error && <FieldError>{state.error}</FieldError>}
      {state.created && (
        <div role="status" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <p>Added {state.created.url}. Its signing secret is shown only now:</p>
          <p className="flex items-center gap-2 font-mono text-xs break-all" data-testid="webhook-secret">{state.created.secret}<CopyButton value={state.created.secret} /></p>
        </div>
      )}
      <Button type="submit" disabled={pending}>Add endpoint</Button>
    </form>
  );
}
