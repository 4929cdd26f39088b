"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import type { Role } from "@/lib/auth/access";
import { changeRoleAction, inviteMemberAction, removeMemberAction, type MemberActionResult } from "@/lib/members/actions";

export const Outcome = ({ result }: { result?: MemberActionResult }) =>
  result && (result.ok ? <p role="status" className="text-sm text-emerald-600">{result.message}</p> : <FieldError>{result.error}</FieldError>);

/** Invite by email: the person is a member at once and gets a one-time sign-in link. */
export function InviteForm({ roles }: { roles: readonly Role[] }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("reviewer");
  const [result, setResult] = useState<MemberActionResult>();
  const [pending, start] = useTransition();
  return (
    <form className="space-y-2" onSubmit={(e) => { e.preventDefault(); start(async () => { const r = await inviteMemberAction({ email, role }); setResult(r); if (r.ok) setEmail(""); }); }}>
      <div className="flex items-end gap-3">
        <div className="flex-1 space-y-1">
          <Label htmlFor="invite-email">Email</Label>
          <Input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder="ann@example.com" />
        </div>
        <div className="w-36 space-y-1">
          <Label htmlFor="invite-role">Role</Label>
          <Select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => <option key={r} value={r}>{r}</option>)}
          </Select>
        </div>
        <Button type="submit" disabled={pending}>{pending ? "Inviting…" : "Invite"}</Button>
      </div>
      <Outcome result={result} />
    </form>
  );
}

/** A member's role selector and remove button; the server decides what this person may change. */
export function MemberRowControls({ email, role, roles }: { email: string; role: Role; roles: readonly Role[] }) {
  const [result, setResult] = useState<MemberActionResult>();
  const [pending, start] = useTransition();
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex items-center gap-2">
        <Select aria-label={`Role of ${email}`} className="h-8 w-32" value={role} disabled={pending}
          onChange={(e) => start(async () => setResult(await changeRoleAction({ email, role: e.target.value })))}>
          {roles.map((r) => <option key={r} value={r}>{r}</option>)}
        </Select>
        <Button variant="outline" size="sm" disabled={pending} aria-label={`Remove ${email}`}
          onClick={() => { if (confirm(`Remove ${email} from this tenant?`)) start(async () => setResult(await removeMemberAction(email))); }}>Remove</Button>
      </div>
      {result && !result.ok && <Outcome result={result} />}
    </div>
  );
}
