import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActivateButton } from "@/components/policies/activate-button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { can } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";

export const metadata: Metadata = { title: "Policy version" };

// GET /policies/versions/{id} — one stored version as uploaded, with its place among the policy's versions.
export default async function PolicyVersionPage({ params }: { params: Promise<{ versionId: string }> }) {
  const member = await requireMember("view");
  const { versionId } = await params;
  const client = await prisma();
  const version = await client.policyVersion.findFirst({
    where: { id: versionId, tenantId: member.tenant.id },
    select: { id: true, source: true, contentHash: true, createdAt: true, uploadedBy: true, policyId: true, policy: { select: { slug: true, activeVersionId: true } } },
  });
  if (!version) notFound();
  // The version before this one, for "diff with previous".
  const previous = await client.policyVersion.findFirst({
    where: { tenantId: member.tenant.id, policyId: version.policyId, createdAt: { lt: version.createdAt } }, orderBy: { createdAt: "desc" }, select: { id: true },
  });
  const active = version.policy.activeVersionId === version.id;
  const manage = can(member.role, "managePolicies");
  const lines = version.source.replace(/\n$/, "").split("\n");
  return (
    <>
      <Link href="/policies" className="mb-2 inline-block text-sm text-zinc-500 hover:underline">← Policies</Link>
      <PageHeader title={`${version.policy.slug} · ${version.contentHash.slice(7, 15)}`} description={`Stored ${version.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Versions never change; activate one to make it decide.`}
        action={<div className="flex items-center gap-2">{active ? <Badge className="bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300">active</Badge> : manage && <ActivateButton versionId={version.id} />}</div>} />
      <div className="mb-4 flex flex-wrap gap-4 text-sm">
        {manage && <Link href={`/policies?edit=${version.id}`} className="font-medium text-accent hover:underline">Edit as a new version</Link>}
        {previous && <Link href={`/policies/diff?from=${previous.id}&to=${version.id}`} className="text-zinc-600 hover:underline dark:text-zinc-400">Diff with previous</Link>}
        <span className="text-zinc-500">Uploaded <RelativeTime date={version.createdAt} /> by {version.uploadedBy.replace(/^person:|^api_key:/, "")}</span>
      </div>
      <Card data-testid="policy-source">
        <CardHeader className="flex items-center justify-between gap-2">
          <CardTitle className="truncate font-mono text-xs" title={version.contentHash}>{version.contentHash}</CardTitle>
          <CopyButton value={version.source} label="Copy" />
        </CardHeader>
        <div className="overflow-x-auto py-2 font-mono text-[13px] leading-5">
          {lines.map((text, i) => (
            <div key={i} className="flex whitespace-pre">
              <span className="w-10 shrink-0 pr-3 text-right text-zinc-400 select-none">{i + 1}</span>
              <span>{text}</span>
            </div>
          ))}
        </div>
      </Card>
    </>
  );
}
