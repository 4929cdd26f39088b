import type { Metadata } from "next";
import Link from "next/link";
import { RevokeGrantButton } from "@/components/grants/revoke-grant-button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { can } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listLiveGrants } from "@/lib/grants/grants";

export const metadata: Metadata = { title: "Standing approvals" };

const COVERS = {
  exact_args: "these exact arguments",
  tool_condition: "while the condition holds",
  session: "this session",
} as Record<string, string>;

export default async function GrantsPage() {
  const member = await requireMember("view");
  const grants = await listLiveGrants(await prisma(), member.tenant.id);
  const revoke = can(member.role, "decideReviews");
  return (
    <>
      <PageHeader title="Standing approvals" description="Approvals a reviewer granted beyond one request. Each covers only what the policy would send to a person, never a denial, and ends when it expires, runs out of uses or is revoked." />
      <Card className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
            <tr>{["Tool", "Agent", "Covers", "Uses", "Expires", "Granted", ""].map((h) => <th key={h} className="px-4 py-2 font-medium">{h}</th>)}</tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60" data-testid="grant-row">
                <td className="px-4 py-2 font-mono">{g.toolName ?? "every tool"}</td>
                <td className="px-4 py-2 font-mono text-xs">{g.agentId}</td>
                <td className="px-4 py-2">
                  <Badge>{g.kind}</Badge> <span className="text-zinc-500">{COVERS[g.kind]}</span>
                  {g.condition && <code className="ml-1 font-mono text-xs">{g.condition}</code>}
                  {g.sessionId && <code className="ml-1 font-mono text-xs">{g.sessionId}</code>}
                </td>
                <td className="px-4 py-2 tabular-nums">{g.uses}{g.maxUses !== null ? ` of ${g.maxUses}` : ""}</td>
                <td className="px-4 py-2 text-zinc-500">{g.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
                <td className="px-4 py-2 text-xs text-zinc-500">
                  <RelativeTime date={g.createdAt} /> by {g.createdBy} · <Link className="font-mono hover:underline" href={`/requests/${g.sourceRequestId}`}>{g.sourceRequestId}</Link>
                </td>
                <td className="px-4 py-2 text-right">{revoke && <RevokeGrantButton id={g.id} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {grants.length === 0 && <p className="p-10 text-center text-sm text-zinc-500">No live standing approvals. Reviewers grant them when approving a request in Reviews.</p>}
      </Card>
    </>
  );
}
