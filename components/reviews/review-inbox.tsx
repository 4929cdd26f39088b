"use client";
import { useQueryClient } from "@tanstack/react-query";
import { Check, CircleCheckBig, Keyboard, Pencil, Undo2, X } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { FieldError, Label, Select, Textarea } from "@/components/ui/input";
import { JsonView } from "@/components/ui/json-view";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { usePendingReviews, type PendingReviewsPage } from "@/components/dashboard/use-pending-reviews";
import { grantOptions } from "@/lib/grants/grant-spec";
import { decideReviewAction } from "@/lib/review/actions";
import { readArgsText } from "@/lib/review/args-diff";
import { differingArgs } from "@/lib/review/args-summary";
import { ArgsEditor } from "./args-editor";
import { useUndoableVote, type HeldVote, type UnsentVote } from "./use-undoable-vote";
import { cn } from "@/lib/utils";

const KEYS = [
  ["j / k", "next / previous request"], ["a", "approve the selected request"], ["d", "deny (asks for a reason)"],
  ["u / z", "undo a vote in its 5 seconds, before it is sent"], ["Enter", "open its full timeline"], ["?", "show these keys"],
];

export function ReviewInbox({ initial, canDecide }: { initial: PendingReviewsPage; canDecide: boolean }) {
  const { data = initial } = usePendingReviews(initial);
  const queryClient = useQueryClient();
  const [selectedId, setSelectedId] = useState<string | undefined>(initial.items[0]?.id);
  const [denying, setDenying] = useState(false);
  const [help, setHelp] = useState(false);
  // A refusal stays in the card of the request it is about; a confirmation names its request
  // above the inbox, since the card it was decided in has moved on to the next request.
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string; requestId: string }>();
  // Votes on their way to the server: their requests stay out of the list until the answer.
  const [sending, setSending] = useState<string[]>([]);
  // The size chosen for one request: "" is "just this once", else a grantOptions key.
  const [grantChoice, setGrantChoice] = useState<{ requestId?: string; key: string }>({ key: "" });
  // Edit, then approve: the reviewer's text for one request while its editor is open.
  const [editing, setEditing] = useState<{ requestId: string; text: string }>();
  const listRef = useRef<HTMLUListElement>(null);
  const router = useRouter();

  const send = useCallback(async (vote: HeldVote) => {
    setSending((ids) => [...ids, vote.requestId]);
    const { requestId, approve, reason, grant, args, seenArgsHash } = vote;
    // An open editor sends its text: the server parses and checks it, whatever the preview said.
    const result = await decideReviewAction({ requestId, approve, reason, grant, seenArgsHash, ...(args !== undefined && { args }) });
    setSending((ids) => ids.filter((id) => id !== requestId));
    // A refusal brings the request back, selected, with the reviewer's edit still open.
    if (!result.ok) { setSelectedId(requestId); return setMessage({ tone: "error", text: result.error, requestId }); }
    setEditing((e) => (e?.requestId === requestId ? undefined : e));
    setMessage({ tone: "ok", text: `${vote.toolName} (${requestId}) ${result.status}${args !== undefined ? " with edited arguments" : ""}.`, requestId });
    // Drop it without waiting for the next poll.
    queryClient.setQueryData<PendingReviewsPage>(["pending-reviews"], (old) => old && { ...old, pendingCount: old.pendingCount - 1, items: old.items.filter((i) => i.id !== requestId) });
    void queryClient.invalidateQueries({ queryKey: ["pending-reviews"] });
  }, [queryClient]);
  const vote = useUndoableVote((held) => void send(held));

  // A held vote's request leaves the list at once (the decision is optimistic) and comes back on undo.
  const items = useMemo(() => data.items.filter((i) => i.id !== vote.held?.requestId && !sending.includes(i.id)), [data.items, vote.held, sending]);
  const summaries = useMemo(() => differingArgs(items.map((i) => i.toolArgs)), [items]);
  const agentsDiffer = new Set(items.map((i) => i.agentId)).size > 1;
  const index = Math.max(0, items.findIndex((i) => i.id === selectedId));
  const selected = items[index];
  const sizes = useMemo(() => (selected ? grantOptions(selected) : []), [selected]);
  const grantKey = grantChoice.requestId === selected?.id ? grantChoice.key : "";
  const editText = editing?.requestId === selected?.id ? editing?.text : undefined;
  const edited = editText === undefined ? undefined : readArgsText(editText);

  /** Holds the selected request's vote for its undo window and moves on to the next request. */
  const decide = useCallback((approve: boolean, reason?: string) => {
    if (!selected || (approve && edited !== undefined && "problem" in edited)) return;
    const args = approve ? editText : undefined;
    const grant = approve && args === undefined ? sizes.find((s) => s.key === grantKey)?.spec : undefined;
    vote.hold({ requestId: selected.id, toolName: selected.toolName, approve, reason, grant, args, seenArgsHash: selected.argsHash });
    setDenying(false);
    setMessage(undefined);
    setSelectedId(items[index + 1]?.id ?? items[index - 1]?.id);
  }, [selected, edited, editText, sizes, grantKey, vote, items, index]);

  const undo = useCallback(() => {
    const taken = vote.undo();
    if (taken) setSelectedId(taken.requestId);
  }, [vote]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (denying || e.metaKey || e.ctrlKey || e.altKey || (e.target as HTMLElement).closest("input, textarea, select")) return;
      if (e.key === "j" || e.key === "k") {
        const next = items[Math.min(items.length - 1, Math.max(0, index + (e.key === "j" ? 1 : -1)))];
        if (next) { setSelectedId(next.id); document.getElementById(`review-${next.id}`)?.scrollIntoView({ block: "nearest" }); }
      } else if (e.key === "a" && canDecide) decide(true);
      else if (e.key === "d" && canDecide && selected) setDenying(true);
      else if ((e.key === "u" || e.key === "z") && vote.held) undo();
      else if (e.key === "Enter" && selected) router.push(`/requests/${selected.id}`);
      else if (e.key === "?") setHelp(true);
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [items, index, selected, canDecide, denying, decide, router, vote.held, undo]);

  // Above the inbox: the vote in its undo window, else the last confirmation (the card has moved on).
  const confirmation = (
    <>
      {vote.unsent.length > 0 && <UnsentNotice votes={vote.unsent} pending={data.items} onDismiss={vote.dismissUnsent} />}
      {vote.held
        ? <UndoBar vote={vote.held} secondsLeft={vote.secondsLeft} fraction={vote.fraction} onUndo={undo} />
        : message?.tone === "ok" && <p role="status" className="mb-3 text-sm text-emerald-600 dark:text-emerald-400">{message.text}</p>}
    </>
  );
  if (items.length === 0) {
    return (
      <>
      {confirmation}
      <Card className="flex flex-col items-center py-16 text-center" data-testid="review-empty">
        <CircleCheckBig className="mb-3 size-10 text-emerald-500" />
        <h2 className="font-semibold">Nothing waits for you</h2>
        <p className="mt-1 text-sm text-zinc-500">
          {data.lastDecidedAt ? <>The last review was decided <RelativeTime date={data.lastDecidedAt} />.</> : "No request has needed a person yet."} New requests appear here by themselves.
        </p>
      </Card>
      </>
    );
  }

  return (
    <>
    {confirmation}
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4 lg:grid-cols-[minmax(300px,380px)_minmax(0,1fr)]">
      <div>
        <p className="mb-2 text-xs text-zinc-500" aria-live="polite">{data.pendingCount} pending{data.pendingCount > data.items.length ? `, oldest ${data.items.length} shown` : ""}</p>
        <ul ref={listRef} role="listbox" aria-label="Pending requests" className="max-h-[40vh] space-y-1 overflow-y-auto pr-1 lg:max-h-[calc(100vh-12rem)]">
          {items.map((item, i) => (
            <li key={item.id} id={`review-${item.id}`} role="option" aria-selected={item.id === selected?.id} data-testid="review-item"
              onClick={() => setSelectedId(item.id)}
              className={cn("cursor-pointer rounded-md border px-3 py-2 text-sm", item.id === selected?.id ? "border-accent bg-accent/5 ring-1 ring-accent" : "border-zinc-200 hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-900")}>
              <div className="flex items-center justify-between gap-2">
                <span className="truncate font-mono font-medium">{item.toolName}</span>
                <span className="shrink-0 text-xs text-zinc-500"><RelativeTime date={item.createdAt} /></span>
              </div>
              {/* What tells this request from the others; the reason only when nothing does. */}
              <p className="truncate text-xs text-zinc-500" data-testid="review-item-summary" title={summaries[i] ? JSON.stringify(item.toolArgs) : undefined}>
                {agentsDiffer && <>{item.agentId} · </>}
                {summaries[i] ? <span className="font-mono text-zinc-700 dark:text-zinc-300">{summaries[i]}</span> : item.reason}
              </p>
            </li>
          ))}
        </ul>
      </div>
      {selected && (
        <Card className="p-5" data-testid="review-detail">
          <div className="flex flex-wrap items-start justify-between gap-x-4">
            <div className="min-w-0">
              <p className="text-xs text-zinc-500">Tool</p>
              <h2 className="font-mono text-2xl font-semibold break-all">{selected.toolName}</h2>
            </div>
            <Link href={`/requests/${selected.id}`} className="min-w-0 truncate font-mono text-xs text-zinc-500 hover:underline">{selected.id}</Link>
          </div>
          <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            {[["Agent", selected.agentId], ["Session", selected.sessionId || "—"], ["Person", selected.humanPrincipal ?? "—"]].map(([k, v]) => (
              <div key={k}><dt className="text-xs text-zinc-500">{k}</dt><dd className="truncate font-mono" title={v ?? ""}>{v}</dd></div>
            ))}
            <div><dt className="text-xs text-zinc-500">Waiting</dt><dd><RelativeTime date={selected.createdAt} /></dd></div>
          </dl>
          <div className="mt-5 mb-1 flex items-center justify-between gap-2">
            <h3 className="text-xs font-medium text-zinc-500">
              {editText !== undefined ? "Arguments, as you will approve them" : selected.argsEdited ? "Arguments, as another reviewer edited them" : "Arguments"}
            </h3>
            {canDecide && (editText === undefined
              ? <Button variant="ghost" size="sm" onClick={() => setEditing({ requestId: selected.id, text: JSON.stringify(selected.toolArgs, null, 2) })}><Pencil />Edit arguments</Button>
              : <Button variant="ghost" size="sm" onClick={() => setEditing(undefined)}>Cancel edit</Button>)}
          </div>
          {editText === undefined
            ? <JsonView value={selected.toolArgs} />
            : <ArgsEditor original={selected.toolArgs as Record<string, unknown>} text={editText} onChange={(text) => { setEditing({ requestId: selected.id, text }); if (message?.tone === "error") setMessage(undefined); }} />}
          <h3 className="mt-5 mb-1 text-xs font-medium text-zinc-500">Why it needs a person</h3>
          <p className="text-sm">{selected.reason}</p>
          <div className="mt-2 flex flex-wrap gap-2">
            {selected.policySlug && <Badge>policy {selected.policySlug}</Badge>}
            {selected.matchedRuleId && <Badge>rule {selected.matchedRuleId}</Badge>}
            <Badge>confidence {selected.confidenceBucket}</Badge>
            {selected.reasonCode && <Badge>{selected.reasonCode}</Badge>}
            {(selected.reviewQuorum ?? 1) > 1 && <Badge>needs {selected.reviewQuorum} approvals</Badge>}
            {selected.reviewerGroups.length > 0 && <Badge>reviewers: {selected.reviewerGroups.join(", ")}</Badge>}
            {/* Silence is never consent: at the deadline the request is denied (review_expired). */}
            {selected.reviewDeadline && <Badge>denied if undecided at {new Date(selected.reviewDeadline).toISOString().replace("T", " ").slice(0, 19)} UTC</Badge>}
          </div>
          {message?.tone === "error" && message.requestId === selected.id && <p role="alert" className="mt-4 text-sm text-red-600 dark:text-red-400">{message.text}</p>}
          {canDecide ? (
            // The grant size has its own row, however long its labels: Approve and Deny stay side by side.
            <div className="mt-6 space-y-3">
              <Label htmlFor="grant-size" className="sr-only">Approve for</Label>
              <Select id="grant-size" className="w-full" value={editText === undefined ? grantKey : ""} disabled={editText !== undefined} onChange={(e) => setGrantChoice({ requestId: selected.id, key: e.target.value })} data-testid="grant-size">
                <option value="">Just this once</option>
                {sizes.map((size) => <option key={size.key} value={size.key}>{size.label}</option>)}
              </Select>
              <div className="flex gap-3" data-testid="decision-buttons">
                <Button variant="approve" size="lg" className="min-w-0 flex-1 px-4 text-sm sm:flex-none sm:px-6 sm:text-base" disabled={edited !== undefined && "problem" in edited} onClick={() => decide(true)}>
                  <Check /><span className="truncate">{editText === undefined ? "Approve" : "Approve edited call"}</span> <kbd className="ml-1 hidden text-xs opacity-70 sm:inline">a</kbd>
                </Button>
                <Button variant="deny" size="lg" className="px-4 text-sm sm:px-6 sm:text-base" onClick={() => setDenying(true)}><X />Deny <kbd className="ml-1 hidden text-xs opacity-70 sm:inline">d</kbd></Button>
              </div>
            </div>
          ) : (
            <p className="mt-6 text-sm text-zinc-500" data-testid="cannot-decide">Your role can see reviews but not decide them.</p>
          )}
        </Card>
      )}
      <DenyDialog open={denying} onOpenChange={setDenying} onDeny={(reason) => decide(false, reason)} toolName={selected?.toolName ?? ""} />
      <Dialog open={help} onOpenChange={setHelp}>
        <DialogContent title="Keyboard shortcuts">
          <Keyboard className="mb-3 size-5 text-zinc-400" />
          <dl className="grid grid-cols-[80px_1fr] gap-2 text-sm">
            {KEYS.map(([k, v]) => <div key={k} className="contents"><dt><kbd className="rounded border px-1.5 font-mono text-xs">{k}</kbd></dt><dd>{v}</dd></div>)}
          </dl>
        </DialogContent>
      </Dialog>
    </div>
    </>
  );
}

function DenyDialog({ open, onOpenChange, onDeny, toolName }: { open: boolean; onOpenChange: (o: boolean) => void; onDeny: (reason: string) => void; toolName: string }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={`Deny ${toolName}`} description="The agent receives this reason with the denial.">
        <form onSubmit={(e) => { e.preventDefault(); if (!reason.trim()) return setError("Say why you deny it."); onDeny(reason.trim()); setReason(""); }} className="space-y-3">
          <Label htmlFor="deny-reason">Reason</Label>
          <Textarea id="deny-reason" autoFocus rows={3} value={reason} onChange={(e) => { setReason(e.target.value); setError(undefined); }} aria-invalid={Boolean(error)} />
          {error && <FieldError>{error}</FieldError>}
          <div className="flex justify-end"><Button type="submit" variant="deny">Deny request</Button></div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** The vote in its undo window: what it does, a countdown, and the way back. */
function UndoBar({ vote, secondsLeft, fraction, onUndo }: { vote: HeldVote; secondsLeft: number; fraction: number; onUndo: () => void }) {
  const doing = vote.approve ? `Approving ${vote.toolName}${vote.args !== undefined ? " with edited arguments" : ""}…` : `Denying ${vote.toolName}…`;
  return (
    <div role="status" data-testid="undo-vote" className="relative mb-3 flex items-center justify-between gap-3 overflow-hidden rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <span className="min-w-0 truncate">{doing} <span className="font-mono text-xs text-zinc-500">{vote.requestId}</span></span>
      <Button variant="outline" size="sm" onClick={onUndo}><Undo2 />Undo ({secondsLeft} s)</Button>
      <span aria-hidden className={cn("absolute bottom-0 left-0 h-0.5 transition-[width] duration-200 ease-linear", vote.approve ? "bg-emerald-500" : "bg-red-500")} style={{ width: `${fraction * 100}%` }} />
    </div>
  );
}

/** Votes cancelled because the reviewer left the inbox during their undo window; named only while still in this queue. */
function UnsentNotice({ votes, pending, onDismiss }: { votes: UnsentVote[]; pending: { id: string }[]; onDismiss: () => void }) {
  const known = votes.filter((v) => pending.some((p) => p.id === v.requestId));
  return (
    <div role="alert" data-testid="unsent-votes" className="mb-3 flex items-start justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
      <p>
        {known.length > 0
          ? <>Not sent: your {known.map((v) => `${v.approve ? "approval" : "denial"} of ${v.toolName} (${v.requestId})`).join(", ")}. You left the inbox during its undo window, so nothing was recorded; it still waits below.</>
          : <>A vote you cast was not sent: you left the inbox during its undo window. Its request is no longer in this queue.</>}
      </p>
      <Button variant="ghost" size="sm" onClick={onDismiss}>Dismiss</Button>
    </div>
  );
}
