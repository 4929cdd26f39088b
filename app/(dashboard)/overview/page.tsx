import type { Metadata } from "next";
import Link from "next/link";
import { DecisionsChart } from "@/components/overview/decisions-chart";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireMember } from "@/lib/auth/session";
import { overviewStats, RANGES, type Range } from "@/lib/clearance/overview-stats";
import { prisma } from "@/lib/db";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  const member = await requireMember("view");
  const requested = (await searchParams).range;
  const range: Range = requested && requested in RANGES ? (requested as Range) : "7d";
  const stats = await overviewStats(await prisma(), member.tenant.id, range);
  const empty = stats.total === 0 && stats.pending === 0;
  return (
    <>
      <PageHeader title="Overview" description={`What ${member.tenant.name}'s agents asked for, and what Ledgix answered.`}
        action={<nav aria-label="Time range" className="flex rounded-md border border-zinc-200 p-0.5 text-sm dark:border-zinc-800">
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <Link key={r} href={`/overview?range=${r}`} aria-current={r === range ? "page" : undefined} className={cn("rounded px-3 py-1", r === range ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "text-zinc-500")}>{r}</Link>
          ))}
        </nav>} />
      {empty ? <EmptyState tenant={member.tenant.name} /> : (
        <>
          <div className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
            <NumberCard label="Requests" value={stats.total.toLocaleString("en")} />
            <NumberCard label="Approval rate" value={stats.approvalRate === null ? "—" : `${(stats.approvalRate * 100).toFixed(1)}%`} hint="approved ÷ decided" />
            <NumberCard label="Pending reviews" value={String(stats.pending)} href="/reviews" />
            <NumberCard label="Decision latency" value={stats.p50Ms === null ? "—" : `${fmtMs(stats.p50Ms)} / ${fmtMs(stats.p99Ms!)}`} hint="p50 / p99, policy decisions" />
          </div>
          <Card className="mb-6">
            <CardHeader><CardTitle>Decisions by status</CardTitle></CardHeader>
            <div className="p-4 text-zinc-600 dark:text-zinc-400"><DecisionsChart series={stats.series} hourly={range === "24h"} /></div>
          </Card>
          <div className="grid gap-4 lg:grid-cols-2">
            <TopList title="Top tools" rows={stats.topTools} param="tool" />
            <TopList title="Top agents" rows={stats.topAgents} param="agent" />
          </div>
        </>
      )}
    </>
  );
}

// Times are stored to the millisecond: below 10 ms a decimal keeps a p50 of 0.5 ms from reading "1 ms".
const fmtMs = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function NumberCard({ label, value, hint, href }: { label: string; value: string; hint?: string; href?: string }) {
  const body = (
    <Card className="p-4">
      <p className="text-xs text-zinc-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
      {hint && <p className="mt-1 text-xs text-zinc-400">{hint}</p>}
    </Card>
  );
  return href ? <Link href={href} className="block hover:opacity-80">{body}</Link> : body;
}

function TopList({ title, rows, param }: { title: string; rows: { name: string; count: number }[]; param: string }) {
  return (
    <Card>
      <CardHeader><CardTitle>{title}</CardTitle></CardHeader>
      <ul className="p-2">
        {rows.map((r) => (
          <li key={r.name}><Link href={`/requests?${param}=${encodeURIComponent(r.name)}`} className="flex justify-between rounded px-2 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/50"><span className="truncate font-mono">{r.name}</span><span className="tabular-nums text-zinc-500">{r.count}</span></Link></li>
        ))}
      </ul>
    </Card>
  );
}

function EmptyState({ tenant }: { tenant: string }) {
  const steps = [
    ["Create an API key", `npx ledgix key create --tenant ${tenant} --name dev`, "/keys"],
    ["Upload a policy", `npx ledgix policy apply --tenant ${tenant} examples/refund-policy.yaml`, "/policies"],
    ["Ask for clearance", `curl -s localhost:3000/api/clearance -H "X-Vault-API-Key: $KEY" -H 'Content-Type: application/json' -d '{"tool_name":"stripe_refund","tool_args":{"amount":45,"currency":"USD"},"context":{"policy_id":"refunds"}}'`, undefined],
  ] as const;
  return (
    <Card className="p-8" data-testid="overview-empty">
      <h2 className="font-semibold">No requests yet</h2>
      <p className="mt-1 text-sm text-zinc-500">Three steps get a first clearance through; the chart fills in as your agents ask.</p>
      <ol className="mt-6 space-y-4">
        {steps.map(([title, command, href], i) => (
          <li key={title} className="flex gap-4">
            <span className="flex size-6 shrink-0 items-center justify-center rounded-full bg-accent text-xs font-semibold text-accent-foreground">{i + 1}</span>
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium">{title}{href && <Link href={href} className="ml-2 text-xs font-normal text-accent hover:underline">or in the dashboard →</Link>}</p>
              <pre className="mt-1 overflow-x-auto rounded-md bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-950">{command}</pre>
            </div>
          </li>
        ))}
      </ol>
    </Card>
  );
}
