import type { Metadata } from "next";
import Link from "next/link";
import { ActivateButton } from "@/components/policies/activate-button";
import { PolicyEditor } from "@/components/policies/policy-editor";
import { ReplayPanel } from "@/components/policies/replay-panel";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { can } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<{ edit?: string }> }) {
  const member = await requireMember("view");
  const client = await prisma();
  const policies = await client.policy.findMany({
    where: { tenantId: member.tenant.id },
    orderBy: { slug: "asc" },
    select: { id: true, slug: true, activeVersionId: true, versions: { orderBy: { createdAt: "desc" }, take: 20, select: { id: true, contentHash: true, createdAt: true, uploadedBy: true } } },
  });
  const manage = can(member.role, "managePolicies");
  // The editor opens on the version chosen with "Edit" (?edit=), else on the first policy's active one.
  const { edit } = await searchParams;
  const startId = edit ?? policies.find((p) => p.activeVersionId)?.activeVersionId;
  const startVersion = manage && startId
    ? await client.policyVersion.findFirst({ where: { id: startId, tenantId: member.tenant.id }, select: { id: true, source: true, contentHash: true, policy: { select: { slug: true, activeVersionId: true } } } })
    : null;
  const start = startVersion && {
    source: startVersion.source,
    label: `${startVersion.policy.slug} ${startVersion.contentHash.slice(7, 15)}${startVersion.id === startVersion.policy.activeVersionId ? " (active)" : ""}`,
  };
  // Inactive versions first: replaying the active one only shows what people overruled.
  const replayable = policies.flatMap((p) => p.versions.map((v) => ({ id: v.id, active: v.id === p.activeVersionId, label: `${p.slug} · ${v.contentHash.slice(7, 15)}${v.id === p.activeVersionId ? " (active)" : ""}` })))
    .sort((a, b) => Number(a.active) - Number(b.active));
  return (
    <>
      <PageHeader title="Policies" description="The rules that decide each request. Every upload is a new, immutable version; one version per policy is active." />
      <div className={manage ? "grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]" : ""}>
        {manage && (
          <div className="space-y-6">
            {/* A new start only when a person picks a version: the refresh after a save must not replace what they type next. */}
            <PolicyEditor key={edit ?? "active"} from={start ?? undefined} />
            {replayable.length > 0 && <ReplayPanel versions={replayable} />}
          </div>
        )}
        <div className="space-y-4">
          {policies.length === 0 && <Card className="p-10 text-center text-sm text-zinc-500">No policies yet. {manage ? "Paste or upload one on the left." : "An admin can upload one."}</Card>}
          {policies.map((p) => (
            <Card key={p.id} data-testid="policy-card">
              <CardHeader><CardTitle className="font-mono">{p.slug}</CardTitle></CardHeader>
              <ul>
                {p.versions.map((v, i) => (
                  <li key={v.id} className="flex items-center gap-3 border-b border-zinc-100 px-4 py-2 text-sm last:border-0 dark:border-zinc-800/60">
                    <Link href={`/policies/versions/${v.id}`} className="font-mono text-xs hover:underline" title={`Read this version (${v.contentHash})`}>{v.contentHash.slice(0, 15)}…{v.contentHash.slice(-6)}</Link>
                    <span className="text-xs text-zinc-500"><RelativeTime date={v.createdAt} /> by {uploader(v.uploadedBy)}</span>
                    <span className="flex-1" />
                    {v.id === p.activeVersionId ? <Badge className="bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300">active</Badge> : manage && <ActivateButton versionId={v.id} />}
                    {p.versions[i + 1] && <Link className="text-xs text-zinc-500 hover:underline" href={`/policies/diff?from=${p.versions[i + 1]!.id}&to=${v.id}`}>diff with previous</Link>}
                  </li>
                ))}
              </ul>
            </Card>
          ))}
        </div>
      </div>
    </>
  );
}

/** "person:ann@acme.test" → "ann@acme.test"; "person:cli" → "the CLI"; "api_key:key_…" → "API key key_…". */
function uploader(uploadedBy: string) {
  const [kind, who = ""] = uploadedBy.split(/:(.*)/s);
  if (kind === "api_key") return `API key ${who}`;
  return who === "cli" ? "the CLI" : who;
}
