"use client";
import { X } from "lucide-react";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/input";
import {
  addToReviewerGroupAction, createReviewerGroupAction, deleteReviewerGroupAction, removeFromReviewerGroupAction, type MemberActionResult,
} from "@/lib/members/actions";
import { Outcome } from "./member-controls";

/** One form's last answer and whether it is on its way; `run` clears the input when asked and the answer is ok. */
function useGroupChange() {
  const [result, setResult] = useState<MemberActionResult>();
  const [pending, start] = useTransition();
  const run = (change: () => Promise<MemberActionResult>, onOk?: () => void) =>
    start(async () => { const r = await change(); setResult(r); if (r.ok) onOk?.(); });
  return { result, pending, run };
}

/** Creates a group under the name a rule's `reviewers` will use. */
export function CreateGroupForm() {
  const [name, setName] = useState("");
  const { result, pending, run } = useGroupChange();
  return (
    <form className="space-y-2" onSubmit={(e) => { e.preventDefault(); run(() => createReviewerGroupAction(name), () => setName("")); }}>
      <div className="flex items-end gap-3">
        <div className="flex-1 space-y-1">
          <Label htmlFor="group-name">New group</Label>
          <Input id="group-name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="finance" aria-invalid={result?.ok === false} className="font-mono" />
        </div>
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create group"}</Button>
      </div>
      <Outcome result={result} />
    </form>
  );
}

/** A group's members as removable chips, a field to add one by email, and the group's delete button. */
export function GroupMemberControls({ group, members, candidates }: { group: string; members: string[]; candidates: string[] }) {
  const [email, setEmail] = useState("");
  const { result, pending, run } = useGroupChange();
  const listId = `group-candidates-${group}`;
  return (
    <div className="space-y-2">
      <ul className="flex flex-wrap gap-2" aria-label={`Members of ${group}`}>
        {members.length === 0 && <li className="text-sm text-zinc-500">nobody yet</li>}
        {members.map((m) => (
          <li key={m} className="inline-flex items-center gap-1 rounded-full border border-zinc-200 py-0.5 pr-1 pl-3 text-sm dark:border-zinc-700">
            {m}
            <button type="button" disabled={pending} aria-label={`Remove ${m} from ${group}`} className="rounded-full p-0.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
              onClick={() => run(() => removeFromReviewerGroupAction({ group, email: m }))}><X className="size-3.5" /></button>
          </li>
        ))}
      </ul>
      <form className="flex flex-wrap items-center gap-2" onSubmit={(e) => { e.preventDefault(); run(() => addToReviewerGroupAction({ group, email }), () => setEmail("")); }}>
        <Label htmlFor={`add-to-${group}`} className="sr-only">Add a member to {group}</Label>
        <Input id={`add-to-${group}`} type="email" required list={listId} value={email} onChange={(e) => setEmail(e.target.value)} placeholder="member's email" className="h-8 max-w-xs min-w-0 flex-1" />
        <datalist id={listId}>{candidates.filter((c) => !members.includes(c)).map((c) => <option key={c} value={c} />)}</datalist>
        <Button type="submit" size="sm" variant="outline" disabled={pending}>Add</Button>
        <Button type="button" size="sm" variant="destructive" disabled={pending} className="ml-auto"
          onClick={() => { if (confirm(`Delete reviewer group ${group}?`)) run(() => deleteReviewerGroupAction(group)); }}>Delete group</Button>
      </form>
      <Outcome result={result} />
    </div>
  );
}
