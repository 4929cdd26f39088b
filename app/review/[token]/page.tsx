import type { Metadata } from "next";
import { headers } from "next/headers";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { JsonView } from "@/components/ui/json-view";
import { CLIENT_ADDRESS_HEADER } from "@/lib/api/handler";
import { prisma } from "@/lib/db";
import { consume } from "@/lib/rate-limit/rate-limit";
import { REVIEW_LINK_LIMIT, viewReviewLink, type ReviewLinkView } from "@/lib/review/review-links";

export const metadata: Metadata = { title: "Review", robots: { index: false } };

function Notice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="mx-auto max-w-2xl p-6">
      <Card data-testid="review-notice"><CardHeader><CardTitle>{title}</CardTitle></CardHeader><p className="p-4 text-sm">{children}</p></Card>
    </main>
  );
}

const CLOSED: Record<Exclude<ReviewLinkView["state"], "open">, (view: ReviewLinkView) => [string, string]> = {
  used: ({ link }) => ["This link was already used", `It was used ${link.usedAt!.toUTCString()}${link.outcome ? ` to record: ${link.outcome}` : ""}. A link works once; it decides nothing more.`],
  expired: ({ link }) => ["This link has expired", `It expired ${link.expiresAt.toUTCString()}. Nothing was decided through it.`],
  decided: ({ request }) => ["This request was already decided", `It is ${request.status} (${request.reasonCode ?? "no reason code"}). This link decides nothing.`],
};

// GET /review/{token} — shows one request to the reviewer the link was sent to. Opening it
// decides nothing (mail scanners prefetch links); the form POSTs to ./decide.
export default async function ReviewLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const client = await prisma();
  const address = (await headers()).get(CLIENT_ADDRESS_HEADER) ?? "unknown";
  if ((await consume(client, REVIEW_LINK_LIMIT, address)) !== null) return <Notice title="Too many attempts">Wait a few minutes, then open the link again.</Notice>;
  const view = await viewReviewLink(client, token);
  if (!view) return <Notice title="This link is not valid">Check that you opened the whole link from the email. Nothing was decided.</Notice>;
  if (view.state !== "open") {
    const [title, text] = CLOSED[view.state](view);
    return <Notice title={title}>{text}</Notice>;
  }
  const { request, link } = view;
  return (
    <main className="mx-auto max-w-2xl space-y-4 p-6">
      <h1 className="text-xl font-semibold">Review: {request.toolName}</h1>
      <Card>
        <CardHeader><CardTitle>Agent {request.agentId} asks to run {request.toolName}</CardTitle></CardHeader>
        <div className="space-y-3 p-4 text-sm">
          <JsonView value={request.toolArgs} />
          <p><b>Why it needs a person:</b> {request.reason}</p>
          <p><b>Decide before:</b> {link.expiresAt.toUTCString()}. After that the request is denied as expired.</p>
          <p className="text-zinc-500">Request {request.id} · this link is for {link.email} and works once.</p>
        </div>
      </Card>
      <form method="post" action={`/review/${token}/decide`} className="space-y-3">
        <label className="block text-sm">Reason (optional)
          <textarea name="reason" rows={2} maxLength={500} className="mt-1 block w-full rounded-md border border-zinc-300 p-2 dark:border-zinc-700 dark:bg-zinc-900" />
        </label>
        <div className="flex gap-2">
          <Button type="submit" name="decision" value="approve" variant="approve">Approve</Button>
          <Button type="submit" name="decision" value="deny" variant="deny">Deny</Button>
        </div>
      </form>
    </main>
  );
}
