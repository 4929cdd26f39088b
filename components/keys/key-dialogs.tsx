"use client";
import { Plus, RotateCw, Trash2 } from "lucide-react";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { FieldError, HelpText, Input, Label, Select } from "@/components/ui/input";
import { createKeyAction, revokeKeyAction, rotateKeyAction, type KeyActionResult } from "@/lib/auth/api-key-actions";
import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, type ApiKeyScope } from "@/lib/auth/scopes";

const SCOPE_HELP: Record<ApiKeyScope, string> = {
  clearance: "request, poll, cancel and mint clearances",
  ledger: "read the ledger and its proofs",
  policy: "register policies (never over one a person uploaded); keep it off agents' keys",
};

function SecretOnce({ secret }: { secret: string }) {
  return (
    <div className="space-y-3">
      <p className="text-sm font-medium text-amber-700 dark:text-amber-400">Copy it now: you will not see this key again.</p>
      <code data-testid="new-key" className="block rounded-md bg-zinc-100 p-3 font-mono text-xs break-all dark:bg-zinc-950">{secret}</code>
      <CopyButton value={secret} label="Copy key" />
    </div>
  );
}

export function CreateKeyButton() {
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<KeyActionResult>();
  const [pending, start] = useTransition();
  return (
    <Dialog open={open} onOpenChange={(o) => { setOpen(o); if (!o) setResult(undefined); }}>
      <DialogTrigger asChild><Button><Plus />Create key</Button></DialogTrigger>
      <DialogContent title="Create an API key" description="Agents send it as X-Vault-API-Key.">
        {result?.ok && result.key ? <SecretOnce secret={result.key} /> : (
          <form className="space-y-3" action={(form) => start(async () => setResult(await createKeyAction(String(form.get("name")), form.getAll("scope").map(String))))}>
            <Label htmlFor="key-name">Name</Label>
            <Input id="key-name" name="name" placeholder="billing-agent production" required aria-invalid={result?.ok === false} />
            <HelpText>Say which agent or environment uses it, so you know what breaks when you revoke it.</HelpText>
            <fieldset className="space-y-1.5">
              <legend className="text-sm font-medium">Scopes</legend>
              {API_KEY_SCOPES.map((scope) => (
                <label key={scope} className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="scope" value={scope} defaultChecked={DEFAULT_API_KEY_SCOPES.includes(scope)} className="mt-0.5" />
                  <span><span className="font-mono">{scope}</span> <span className="text-zinc-500">{SCOPE_HELP[scope]}</span></span>
                </label>
              ))}
            </fieldset>
            {result?.ok === false && <FieldError>{result.error}</FieldError>}
            <div className="flex justify-end"><Button type="submit" disabled={pending}>Create key</Button></div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

export function KeyActions({ id, name, canRotate }: { id: string; name: string; canRotate: boolean }) {
  const [mode, setMode] = useState<"rotate" | "revoke">();
  const [result, setResult] = useState<KeyActionResult>();
  const [pending, start] = useTransition();
  const [confirm, setConfirm] = useState("");
  const close = () => { setMode(undefined); setResult(undefined); setConfirm(""); };
  return (
    <div className="flex justify-end gap-1">
      {canRotate && <Button variant="ghost" size="sm" onClick={() => setMode("rotate")}><RotateCw />Rotate</Button>}
      <Button variant="ghost" size="sm" onClick={() => setMode("revoke")}><Trash2 />Revoke</Button>
      <Dialog open={mode === "rotate"} onOpenChange={(o) => !o && close()}>
        <DialogContent title={`Rotate ${name}`} description="Creates a new key with the same name. The old one keeps working for the grace period, so you can deploy the new one first.">
          {result?.ok && result.key ? <SecretOnce secret={result.key} /> : (
            <form className="space-y-3" action={(form) => start(async () => setResult(await rotateKeyAction(id, Number(form.get("grace")))))}>
              <Label htmlFor="grace">Old key stops working</Label>
              <Select id="grace" name="grace" defaultValue="24">
                <option value="0">Now</option><option value="1">In 1 hour</option><option value="24">In 24 hours</option><option value="168">In 7 days</option>
              </Select>
              {result?.ok === false && <FieldError>{result.error}</FieldError>}
              <div className="flex justify-end"><Button type="submit" disabled={pending}>Rotate</Button></div>
            </form>
          )}
        </DialogContent>
      </Dialog>
      <Dialog open={mode === "revoke"} onOpenChange={(o) => !o && close()}>
        <DialogContent title={`Revoke ${name}`} description="Requests with this key fail at once with api_key_revoked. This cannot be undone.">
          <form className="space-y-3" action={() => start(async () => { const r = await revokeKeyAction(id); if (r.ok) close(); else setResult(r); })}>
            <Label htmlFor="confirm-name">Type <span className="font-mono">{name}</span> to confirm</Label>
            <Input id="confirm-name" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
            {result?.ok === false && <FieldError>{result.error}</FieldError>}
            <div className="flex justify-end"><Button type="submit" variant="deny" disabled={pending || confirm !== name}>Revoke key</Button></div>
          </form>
        </DialogContent>
      </Dialog>
    </div>
  );
}
