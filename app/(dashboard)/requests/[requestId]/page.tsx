import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BellRing, CheckCircle2, Circle, FileCheck2, Inbox, KeyRound, Play, Scale, ShieldAlert, Stamp, UserCheck, Vote } from "lucide-react";
import type { ReactNode } from "react";
import { ExplanationView } from "@/components/requests/explanation-view";
import { ArgsDiffView } from "@/components/reviews/args-editor";
import { Card } from "@/components/ui/card";
import { JsonView } from "@/components/ui/json-view";
import { PageHeader } from "@/components/ui/page-header";
import { Badge, StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { requireMember } from "@/lib/auth/session";
import { getRequestTimeline } from "@/lib/clearance/list-requests";
import { prisma } from "@/lib/db";
import { grantsFromRequest } from "@/lib/grants/grants";
import type { Explanation } from "@/lib/policy/explanation";
import { argsDiff, type ToolArgs } from "@/lib/review/args-diff";
import { breakGlassReason, channelName, describeDecidedBy } from "@/lib/review/decided-by";
import type { TokenUse } from "@/lib/tokens/token-uses";

export const metadata: Metadata = { title: "Request" };

export default async function RequestPage({ params }: { params: Promise<{ requestId: string }> }) {
  const member = await requireMember("view");
  const { requestId } = await params;
  // Scoped by tenant: another tenant's id is a 404, exactly like an id that does not exist.
  const found = await getRequestTimeline(await prisma(), member.tenant.id, requestId);
  if (!found) notFound();
  const { request: r, ledger, checkpoint, votes, uses } = found;
  // A standing approval decided it, not a person: its own step below says which.
  const decider = r.grantId ? null : describeDecidedBy(r.decidedBy);
  const granted = await grantsFromRequest(await prisma(), member.tenant.id, r.id);
  return (
    <>
      <PageHeader title={r.toolName} description={`Request ${r.id} from agent ${r.agentId}${r.sessionId ? `, session ${r.sessionId}` : ""}.`} action={<StatusBadge status={r.status} />} />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_380px]">
        <ol className="relative space-y-6 border-l border-zinc-200 pl-6 dark:border-zinc-800" aria-label="Timeline" data-testid="timeline">
          <Step icon={<Inbox />} title="Received" done at={r.createdAt}>
            <JsonView value={r.toolArgs} />
          </Step>
          <Step icon={<Scale />} title="Evaluated" done={r.status !== "processing"}>
            <p className="text-sm">{r.status === "processing" ? "Not evaluated yet." : r.reasonCode?.startsWith("review_") ? "The policy sent it to a person." : r.reason}</p>
            <div className="mt-2 flex flex-wrap gap-2">
              {r.policySlug && <Badge>policy {r.policySlug}</Badge>}
              {r.matchedRuleId && <Badge>rule {r.matchedRuleId}</Badge>}
              <Badge>confidence {r.confidenceBucket}</Badge>
              {r.policyContentHash && <Badge className="font-mono">{shortHash(r.policyContentHash)}</Badge>}
            </div>
            {r.explanation && <ExplanationView explanation={r.explanation as unknown as Explanation} />}
          </Step>
          {withEdits(r.toolArgs as ToolArgs, votes).map(({ vote: v, changes }) => (
            <Step key={v.reviewerEmail} icon={<Vote />} title={v.approve ? (changes ? "Edited and approved" : "Approval") : "Denial"} done at={v.createdAt}>
              <p className="text-sm">By <span className="font-medium">{v.reviewerLabel}</span>{v.reviewerLabel !== v.reviewerEmail && ` (${v.reviewerEmail})`} through {channelName(v.channel)}{v.reason ? `: ${v.reason}` : "."}</p>
              {changes && <div className="mt-2"><ArgsDiffView changes={changes} /></div>}
            </Step>
          ))}
          {r.reviewEscalatedAt && (
            <Step icon={<BellRing />} title="Escalated" done at={r.reviewEscalatedAt}>
              <p className="text-sm">Still undecided part-way to its deadline; the escalation group was notified.</p>
            </Step>
          )}
          <Step icon={decider?.breakGlass ? <ShieldAlert /> : <UserCheck />} title={r.reasonCode === "review_expired" ? "Expired" : decider?.breakGlass ? "Break-glass decision" : "Reviewed"} done={Boolean(decider)} at={decider ? r.decidedAt : null}>
            <p className="text-sm">
              {decider ? <>{decider.breakGlass ? `${r.status === "approved" ? "Approved" : "Denied"} by` : "By"} <span className="font-medium">{decider.who}</span> through {decider.through}{ownReason(r) ? `: ${r.reason}` : "."}</>
                : r.status === "pending_review" ? `Waiting for ${r.reviewQuorum && r.reviewQuorum > 1 ? `${r.reviewQuorum} approvals` : "a person"}${r.reviewDeadline ? `; denied if undecided at ${r.reviewDeadline.toISOString().replace("T", " ").slice(0, 19)} UTC` : ""}.` : "No person was needed."}
            </p>
          </Step>
          {(r.grantId || granted.length > 0) && (
            <Step icon={<Stamp />} title="Standing approval" done at={granted[0]?.createdAt ?? r.decidedAt}>
              {r.grantId && <p className="text-sm">Approved under standing approval <code className="font-mono text-xs">{r.grantId}</code> instead of waiting for a person.</p>}
              {granted.map((g) => (
                <p key={g.id} className="text-sm" data-testid="granted">
                  Granted <code className="font-mono text-xs">{g.id}</code> ({g.kind}) by {g.createdBy}: used {g.uses}{g.maxUses !== null ? ` of ${g.maxUses}` : ""} times,{" "}
                  {g.revokedAt ? `revoked by ${g.revokedBy}` : `expires ${g.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`}.
                </p>
              ))}
            </Step>
          )}
          <Step icon={<KeyRound />} title="Token issued" done={r.tokenIssuedAt !== null} at={r.tokenIssuedAt ? new Date(r.tokenIssuedAt * 1000) : null}>
            <p className="text-sm">{r.tokenJti ? <>A-JWT <code className="font-mono text-xs">{r.tokenJti}</code>, expires {new Date(r.tokenExpiresAt! * 1000).toISOString()}{r.approvedArgsHash && ", bound to the edited arguments"}</> : r.status === "approved" ? "Issued when the agent next polls." : "No token for this decision."}</p>
          </Step>
          <Step icon={<FileCheck2 />} title="Ledger entry" done={Boolean(ledger)} at={ledger?.createdAt}>
            <p className="text-sm">
              {ledger ? <>seq {String(ledger.seq)}, {ledger.leafIndex === null ? "waiting for the sequencer" : <>leaf {String(ledger.leafIndex)}{checkpoint ? `, in checkpoint ${checkpoint.checkpointId} (tree size ${checkpoint.treeSize})` : ", not yet in a checkpoint"}</>}</> : "Written once the decision is final."}
            </p>
          </Step>
          {r.status === "approved" && (
            <Step icon={<Play />} title="Executed" done={uses.some((u) => u.outcome !== "failed")} at={uses[0]?.consumedAt}>
              {uses.length === 0 ? <p className="text-sm">No gateway or service has used its token yet.</p> : (
                <ul className="space-y-1 text-sm" data-testid="token-uses">
                  {uses.map((u) => <li key={u.jti}><TokenUseLine use={u} /></li>)}
                </ul>
              )}
            </Step>
          )}
        </ol>
        <Card className="h-fit p-4 text-sm">
          <dl className="space-y-2">
            {[["Request", r.id], ["Agent", r.agentId], ["Session", r.sessionId || "—"], ["Person", r.humanPrincipal ?? "—"], ["Arguments hash", shortHash(r.toolArgsHash)], ["Decided by", r.decidedBy ?? "—"]].map(([k, v]) => (
              <div key={k} className="flex justify-between gap-4"><dt className="text-zinc-500">{k}</dt><dd className="truncate font-mono text-xs">{v}</dd></div>
            ))}
          </dl>
        </Card>
      </div>
    </>
  );
}

function TokenUseLine({ use }: { use: TokenUse }) {
  const service = use.executionStatus === null ? "the service's answer was not reported" : `the service answered ${use.executionStatus}`;
  return (
    <>
      Token <code className="font-mono text-xs">{use.jti}</code> used by <span className="font-medium">{use.consumer || "an unnamed consumer"}</span>{" "}
      <RelativeTime date={use.consumedAt} />; {service}{use.outcome === "failed" ? ", so the action did not run." : "."}
    </>
  );
}

/** The decision's reason, unless it is only the default a break-glass decision gets (the line already says that). */
const ownReason = (r: { decidedBy: string | null; reason: string; status: string }) =>
  !r.decidedBy || r.reason !== breakGlassReason(r.decidedBy, r.status === "approved");

/** Each vote with what it changed, if it edited the arguments: each edit is diffed against the one before it. */
function withEdits<V extends { editedArgs: unknown }>(asked: ToolArgs, votes: V[]) {
  let current = asked;
  return votes.map((vote) => {
    if (vote.editedArgs === null) return { vote, changes: null };
    const changes = argsDiff(current, vote.editedArgs as ToolArgs);
    current = vote.editedArgs as ToolArgs;
    return { vote, changes };
  });
}

const shortHash = (h: string) => (h.length > 20 ? `${h.slice(0, 14)}…${h.slice(-6)}` : h);

function Step({ icon, title, done, at, children }: { icon: ReactNode; title: string; done: boolean; at?: Date | null; children: ReactNode }) {
  return (
    <li className="relative" data-done={done}>
      <span className={`absolute -left-[37px] flex size-6 items-center justify-center rounded-full border bg-white dark:bg-zinc-950 [&_svg]:size-3.5 ${done ? "border-emerald-500 text-emerald-600" : "border-zinc-300 text-zinc-400 dark:border-zinc-700"}`}>{done ? icon : <Circle />}</span>
      <div className="mb-1 flex items-center gap-2">
        <h2 className="text-sm font-semibold">{title}</h2>
        {done && <CheckCircle2 className="size-3.5 text-emerald-500" aria-label="done" />}
        {at && <span className="text-xs text-zinc-500"><RelativeTime date={at} /></span>}
      </div>
      {children}
    </li>
  );
}
