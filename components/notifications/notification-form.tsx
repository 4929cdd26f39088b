"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, HelpText, Input, Label, Textarea } from "@/components/ui/input";
import { saveNotificationAction, type NotificationFormState } from "@/lib/notify/actions";
import { cn } from "@/lib/utils";

interface Setting { event: string; description: string; slackWebhookHint: string; emailRecipients: string[] }

export function NotificationForm({ setting, disabled }: { setting: Setting; disabled: boolean }) {
  const [state, action, pending] = useActionState<NotificationFormState, FormData>(saveNotificationAction, {});
  const id = (name: string) => `${setting.event}-${name}`;
  return (
    <Card data-testid={`notification-${setting.event}`}>
      <CardHeader><CardTitle>{setting.description}</CardTitle><HelpText className="font-mono">{setting.event}</HelpText></CardHeader>
      <form action={action} className="space-y-4 p-4">
        <input type="hidden" name="event" value={setting.event} />
        <fieldset disabled={disabled} className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-1.5">
            <Label htmlFor={id("slack")}>Slack incoming webhook</Label>
            <Input id={id("slack")} name="slackWebhookUrl" type="url" placeholder={setting.slackWebhookHint ? `saved: ${setting.slackWebhookHint}` : "https://hooks.slack.com/services/…"} autoComplete="off" />
            <HelpText>Stored encrypted. Leave empty to keep the saved one.</HelpText>
            {setting.slackWebhookHint && <label className="flex items-center gap-2 text-xs"><input type="checkbox" name="clearSlack" />Remove the saved webhook</label>}
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={id("emails")}>Email recipients</Label>
            <Textarea id={id("emails")} name="emailRecipients" rows={2} defaultValue={setting.emailRecipients.join(", ")} placeholder="ops@example.com, oncall@example.com" />
            <HelpText>Comma- or space-separated; sent through Resend (to the development outbox while RESEND_API_KEY is unset).</HelpText>
          </div>
        </fieldset>
        {state.error && <FieldError>{state.error}</FieldError>}
        {state.results && (
          <ul className="space-y-1 text-sm" data-testid="test-results" aria-live="polite">
            {state.results.map((r) => <li key={r.channel} className={cn(r.ok ? "text-emerald-600" : "text-red-600")}>{r.ok ? "✓" : "✗"} {r.channel}: {r.detail}</li>)}
          </ul>
        )}
        {state.ok && !state.results && <p role="status" className="text-sm text-emerald-600">Saved.</p>}
        {!disabled && (
          <div className="flex gap-2">
            <Button type="submit" name="intent" value="save" disabled={pending}>Save</Button>
            <Button type="submit" name="intent" value="test" variant="outline" disabled={pending}>Save and send test</Button>
          </div>
        )}
      </form>
    </Card>
  );
}
