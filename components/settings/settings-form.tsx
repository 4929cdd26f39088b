"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, HelpText, Input, Label } from "@/components/ui/input";
import { saveSettingsAction, type SettingsState } from "@/lib/tenants/settings-actions";
import { cn } from "@/lib/utils";

const BUCKETS = [
  ["none", "Approve whatever the policy allows, even with no confidence at all."],
  ["low", "Approve on a weak signal, e.g. a judge that was unsure."],
  ["medium", "Approve when the evaluation was fairly sure."],
  ["high", "Approve only confident decisions (the default)."],
  ["extra_high", "Approve only what a deterministic rule allowed outright; everything else goes to a person."],
] as const;

interface Settings { minimumConfidenceBucket: string; tokenTtlSeconds: number; ledgerCanonicalVersion: number; reviewTimeoutSeconds: number; reviewFourEyes: boolean }

export function SettingsForm({ settings, disabled }: { settings: Settings; disabled: boolean }) {
  const [state, action, pending] = useActionState<SettingsState, FormData>(saveSettingsAction, {});
  return (
    <form action={action} className="max-w-2xl space-y-6">
      <fieldset disabled={disabled} className="space-y-6">
        <Card>
          <CardHeader><CardTitle>Minimum confidence</CardTitle></CardHeader>
          <div className="space-y-1 p-4" role="radiogroup" aria-label="Minimum confidence bucket">
            <HelpText className="mb-3">An allowed request whose confidence is below this bucket waits for a person instead of being approved.</HelpText>
            {BUCKETS.map(([bucket, help]) => (
              <label key={bucket} className={cn("flex cursor-pointer gap-3 rounded-md p-2 hover:bg-zinc-50 dark:hover:bg-zinc-800/50")}>
                <input type="radio" name="minimumConfidenceBucket" value={bucket} defaultChecked={settings.minimumConfidenceBucket === bucket} className="mt-1 accent-[var(--color-accent)]" />
                <span><span className="font-mono text-sm font-medium">{bucket}</span><span className="block text-xs text-zinc-500">{help}</span></span>
              </label>
            ))}
          </div>
        </Card>
        <Card>
          <CardHeader><CardTitle>Tokens and ledger</CardTitle></CardHeader>
          <div className="grid gap-4 p-4 sm:grid-cols-2">
            <div className="space-y-1.5">
              <Label htmlFor="tokenTtlSeconds">A-JWT lifetime (seconds)</Label>
              <Input id="tokenTtlSeconds" name="tokenTtlSeconds" type="number" min={30} max={3600} defaultValue={settings.tokenTtlSeconds} aria-invalid={Boolean(state.fieldErrors?.tokenTtlSeconds)} />
              <HelpText>How long an approval&apos;s token may be presented to the tool. 30 to 3600.</HelpText>
              {state.fieldErrors?.tokenTtlSeconds && <FieldError>{state.fieldErrors.tokenTtlSeconds}</FieldError>}
            </div>
            <div className="space-y-1.5">
              <Label htmlFor="ledgerCanonicalVersion">Ledger canonical version</Label>
              <select id="ledgerCanonicalVersion" name="ledgerCanonicalVersion" defaultValue={settings.ledgerCanonicalVersion} className="h-9 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm dark:border-zinc-700 dark:bg-zinc-900">
                <option value={1}>1 — verifiable by both public SDKs</option><option value={2}>2</option><option value={3}>3</option>
              </select>
              <HelpText>The layout of new ledger entries; existing entries keep theirs.</HelpText>
            </div>
          </div>
        </Card>
        <Card>
          <CardHeader><CardTitle>Reviews</CardTitle></CardHeader>
          <div className="grid gap-4 p-4 sm:grid-cols-2">
            <div className="space-y-1.5">
              <Label htmlFor="reviewTimeoutSeconds">Review timeout (seconds)</Label>
              <Input id="reviewTimeoutSeconds" name="reviewTimeoutSeconds" type="number" min={1} max={2592000} defaultValue={settings.reviewTimeoutSeconds} aria-invalid={Boolean(state.fieldErrors?.reviewTimeoutSeconds)} />
              <HelpText>Silence is never consent: a review nobody decides in time is denied (<code className="font-mono">review_expired</code>). A rule&apos;s <code className="font-mono">review_timeout</code> overrides it.</HelpText>
              {state.fieldErrors?.reviewTimeoutSeconds && <FieldError>{state.fieldErrors.reviewTimeoutSeconds}</FieldError>}
            </div>
            <label className="flex cursor-pointer gap-3 self-start pt-6">
              <input type="checkbox" name="reviewFourEyes" defaultChecked={settings.reviewFourEyes} className="mt-1 accent-[var(--color-accent)]" />
              <span><span className="text-sm font-medium">Four eyes</span><span className="block text-xs text-zinc-500">Nobody approves a request attributed to themselves (its human principal, or their own agent).</span></span>
            </label>
          </div>
        </Card>
      </fieldset>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={disabled || pending}>Save settings</Button>
        {state.ok && <p role="status" className="text-sm text-emerald-600">Saved.</p>}
        {state.error && <FieldError>{state.error}</FieldError>}
        {disabled && <p className="text-sm text-zinc-500">Only owners and admins change settings.</p>}
      </div>
    </form>
  );
}
