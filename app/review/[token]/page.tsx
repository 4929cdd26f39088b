import type { Metadata } from "next";
import { headers } from "next/headers";
import { CheckCircle2, Clock, Info, XCircle } from "lucide-react";
import { BrandMark } from "@/components/ui/brand-mark";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { approvedArgsHashOf, approvedArgsOf } from "@/lib/clearance/args-hash";
import { JsonView } from "@/components/ui/json-view";
import { CLIENT_ADDRESS_HEADER } from "@/lib/api/handler";
import { prisma } from "@/lib/db";
import { consume } from "@/lib/rate-limit/rate-limit";
import { REVIEW_LINK_LIMIT, viewReviewLink, type ReviewLinkView } from "@/lib/review/review-links";

export const metadata: Metadata = { title: "Review", robots: { index: false } };

/** The page's frame: the product's mark, what the page is, and the card or form inside. */
function Shell({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col bg-zinc-50 dark:bg-zinc-950">
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mx-auto flex max-w-2xl items-center gap-2 px-4 py-3">
          <BrandMark className="size-7 rounded-md text-sm" />
          <span className="font-semibold">Ledgix</span>
          <span className="text-sm text-zinc-500 dark:text-zinc-400">Review request</span>
        </div>
      </header>
      <main className="mx-auto w-full max-w-2xl flex-1 space-y-4 p-4 sm:p-6">{children}</main>
      <footer className="mx-auto max-w-2xl px-4 pb-6 text-center text-xs text-zinc-500">Sent by Ledgix, the clearance vault for AI agents. Opening this page decides nothing; only its buttons do.</footer>
    </div>
  );
}

const TONES = {
  approved: ["border-emerald-300 dark:border-emerald-900", <CheckCircle2 key="i" className="size-5 text-emerald-600" />],
  denied: ["border-red-300 dark:border-red-900", <XCircle key="i" className="size-5 text-red-600" />],
  waiting: ["border-amber-300 dark:border-amber-900", <Clock key="i" className="size-5 text-amber-600" />],
  neutral: ["", <Info key="i" className="size-5 text-zinc-500" />],
} as const;

function Notice({ title, tone = "neutral", children }: { title: string; tone?: keyof typeof TONES; children: React.ReactNode }) {
  const [border, icon] = TONES[tone];
  return (
    <Shell>
      <Card data-testid="review-notice" className={border}>
        <CardHeader className="flex items-center gap-2">{icon}<CardTitle className="text-base">{title}</CardTitle></CardHeader>
        <div className="space-y-2 p-4 text-sm">{children}</div>
      </Card>
    </Shell>
  );
}

/** "14:02 UTC on 2026-12-06": the minute a person remembers, in the one zone everyone shares. */
const atUtc = (date: Date) => `${date.toISOString().slice(11, 16)} UTC on ${date.toISOString().slice(0, 10)}`;

/** Where the request stands now, in a sentence. */
function standing(request: ReviewLinkView["request"]) {
  if (request.status === "approved") return "The request is approved: the agent receives its token when it next asks.";
  if (request.status === "denied") return `The request is denied${request.reasonCode === "review_expired" ? " (its review expired)" : ""}: the agent may not go ahead.`;
  const quorum = request.reviewQuorum ?? 1;
  return `It still waits for ${quorum > 1 ? `more approvals (${quorum} are needed)` : "another reviewer"} before the agent may go ahead.`;
}

function closedNotice(view: ReviewLinkView) {
  const { link, request } = view;
  if (view.state === "used") {
    const verb = link.outcome === "deny" ? "denied" : "approved";
    return (
      <Notice title={`You ${verb} this request`} tone={request.status === "pending_review" ? "waiting" : link.outcome === "deny" ? "denied" : "approved"}>
        <p>You {verb} <b>{request.toolName}</b> for agent {request.agentId} at {atUtc(link.usedAt!)}.</p>
        <p>{standing(request)}</p>
        <p className="text-zinc-500">Request {request.id}. This link has done its work; it decides nothing more.</p>
      </Notice>
    );
  }
  if (view.state === "expired") {
    return <Notice title="This link has expired">It expired at {atUtc(link.expiresAt)}. Nothing was decided through it.</Notice>;
  }
  return (
    <Notice title="This request was already decided" tone={request.status === "approved" ? "approved" : "denied"}>
      <p>Someone decided it{request.decidedAt ? ` at ${atUtc(request.decidedAt)}` : ""} before you used this link. {standing(request)}</p>
      <p className="text-zinc-500">Request {request.id}. Nothing was decided through this link.</p>
    </Notice>
  );
}

// GET /review/{token} — shows one request to the reviewer the link was sent to. Opening it
// decides nothing (mail scanners prefetch links); the form POSTs to ./decide.
// Why the last vote through this link was not counted (castVote's rules), by error code.
const PROBLEMS: Record<string, string> = {
  four_eyes_violation: "You may not approve a request attributed to yourself; another reviewer must. You may still deny it.",
  already_voted: "You already voted on this request (through another channel).",
  not_a_reviewer: "You are no longer a reviewer of this request, so your vote was not counted.",
  review_args_changed: "Another reviewer edited the arguments after this page was opened. Read them again below; nothing was counted.",
  args_not_editable: "The policy does not let reviewers change these arguments (or these fields of them). Approve or deny the call as asked.",
  edit_denied: "The policy denies the call as you edited it; nothing was counted. Change it again, or approve or deny it as asked.",
  edit_needs_other_review: "The call as you edited it needs other reviewers or more approvals than this review; nothing was counted.",
  validation_failed: "The edited arguments are not a JSON object PostgreSQL can store; nothing was counted.",
  malformed_json: "The edited arguments are not valid JSON; nothing was counted.",
  duplicate_json_key: "The edited arguments name a field twice; nothing was counted.",
  invalid_request: "Only an approval can edit the arguments; nothing was counted.",
};

export default async function ReviewLinkPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<{ problem?: string }> }) {
  const { token } = await params;
  const problem = PROBLEMS[(await searchParams).problem ?? ""];
  const client = await prisma();
  const address = (await headers()).get(CLIENT_ADDRESS_HEADER) ?? "unknown";
  if ((await consume(client, REVIEW_LINK_LIMIT, address)) !== null) return <Notice title="Too many attempts">Wait a few minutes, then open the link again.</Notice>;
  const view = await viewReviewLink(client, token);
  if (!view) return <Notice title="This link is not valid">Check that you opened the whole link from the email. Nothing was decided.</Notice>;
  if (view.state !== "open") return closedNotice(view);
  const { request, link } = view;
  const editable = JSON.stringify(approvedArgsOf(request), null, 2);
  return (
    <Shell>
      <h1 className="text-xl font-semibold">Review: {request.toolName}</h1>
      {problem && <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">{problem}</p>}
      <Card>
        <CardHeader><CardTitle>Agent {request.agentId} asks to run {request.toolName}</CardTitle></CardHeader>
        <div className="space-y-3 p-4 text-sm">
          {request.approvedArgsHash !== null && <p className="text-zinc-500">Another reviewer edited these arguments; approving approves them as shown.</p>}
          <JsonView value={approvedArgsOf(request)} />
          <p><b>Why it needs a person:</b> {request.reason}</p>
          <p><b>Decide before:</b> {link.expiresAt.toUTCString()}. After that the request is denied as expired.</p>
          <p className="text-zinc-500">Request {request.id} · this link is for {link.email} and works once.</p>
        </div>
      </Card>
      <form method="post" action={`/review/${token}/decide`} className="space-y-3">
        <input type="hidden" name="args_hash" value={approvedArgsHashOf(request)} />
        <details className="text-sm">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Edit the arguments before approving</summary>
          <p className="mt-2 text-zinc-500">The tool stays {request.toolName}. The policy checks the edited call again; the agent then runs exactly what you approve.</p>
          <textarea name="args" aria-label="Arguments to approve (JSON)" rows={Math.min(14, editable.split("\n").length + 1)} defaultValue={editable} spellCheck={false}
            className="mt-1 block w-full rounded-md border border-zinc-300 p-2 font-mono text-[13px] dark:border-zinc-700 dark:bg-zinc-900" />
        </details>
        <label className="block text-sm">Reason (optional)
          <textarea name="reason" rows={2} maxLength={500} className="mt-1 block w-full rounded-md border border-zinc-300 p-2 dark:border-zinc-700 dark:bg-zinc-900" />
        </label>
        <div className="flex gap-2">
          <Button type="submit" name="decision" value="approve" variant="approve">Approve</Button>
          <Button type="submit" name="decision" value="deny" variant="deny">Deny</Button>
        </div>
      </form>
    </Shell>
  );
}
