import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { requireMember } from "@/lib/auth/session";
import { listRequests, requestFiltersSchema } from "@/lib/clearance/list-requests";
import { prisma } from "@/lib/db";

export const metadata: Metadata = { title: "Requests" };

export default async function RequestsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const member = await requireMember("view");
  const filters = requestFiltersSchema.parse(await searchParams);
  const { items, nextCursor } = await listRequests(await prisma(), member.tenant.id, filters);
  const kept = { ...filters, cursor: undefined };
  const nextHref = nextCursor ? `/requests?${new URLSearchParams({ ...clean(kept), cursor: nextCursor })}` : undefined;
  return (
    <>
      <PageHeader title="Requests" description="Every clearance request your agents sent, newest first. Filters live in the URL, so a view can be shared." />
      {/* A plain GET form: the filters become the URL. */}
      <form className="mb-4 flex flex-wrap items-end gap-2" role="search">
        <FilterSelect name="status" label="Status" value={filters.status} options={[["", "Any status"], ["approved", "Approved"], ["denied", "Denied"], ["pending_review", "Pending review"], ["processing", "Processing"]]} />
        <FilterInput name="tool" label="Tool" value={filters.tool} placeholder="stripe_refund" />
        <FilterInput name="agent" label="Agent" value={filters.agent} placeholder="agent id" />
        <FilterInput name="session" label="Session" value={filters.session} placeholder="session id" />
        <FilterSelect name="since" label="Time range" value={filters.since} options={[["", "All time"], ["1h", "Last hour"], ["24h", "Last 24 h"], ["7d", "Last 7 days"], ["30d", "Last 30 days"]]} />
        <FilterSelect name="execution" label="Execution" value={filters.execution} options={[["", "Any"], ["executed", "Executed"], ["unexecuted", "Approved, never executed"]]} />
        <Button type="submit" variant="outline">Apply</Button>
        {Object.keys(clean(kept)).length > 0 && <Button asChild variant="ghost"><Link href="/requests">Clear</Link></Button>}
      </form>
      <Card className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
            <tr><th className="px-4 py-2 font-medium">Status</th><th className="px-4 py-2 font-medium">Tool</th><th className="px-4 py-2 font-medium">Agent</th><th className="px-4 py-2 font-medium">Reason</th><th className="px-4 py-2 font-medium">Received</th></tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} className="relative border-b border-zinc-100 last:border-0 hover:bg-zinc-50 dark:border-zinc-800/60 dark:hover:bg-zinc-900">
                <td className="px-4 py-2"><StatusBadge status={r.status} /></td>
                <td className="px-4 py-2 font-mono"><Link href={`/requests/${r.id}`} className="after:absolute after:inset-0">{r.toolName}</Link></td>
                <td className="max-w-40 truncate px-4 py-2 font-mono text-xs">{r.agentId}</td>
                <td className="max-w-96 truncate px-4 py-2 text-zinc-500">{r.reason}</td>
                <td className="px-4 py-2 whitespace-nowrap text-zinc-500"><RelativeTime date={r.createdAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {items.length === 0 && <p className="p-10 text-center text-sm text-zinc-500">No requests match. {filters.cursor ? "This was the last page." : "Clear the filters, or send a first request with an API key."}</p>}
      </Card>
      <div className="mt-4 flex justify-end gap-2">
        {filters.cursor && <Button asChild variant="outline"><Link href={`/requests?${new URLSearchParams(clean(kept))}`}>Newest</Link></Button>}
        {nextHref && <Button asChild variant="outline"><Link href={nextHref}>Older</Link></Button>}
      </div>
    </>
  );
}

const clean = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => Boolean(e[1])));

function FilterInput({ name, label, value, placeholder }: { name: string; label: string; value?: string; placeholder: string }) {
  return <label className="flex flex-col text-xs text-zinc-500">{label}<Input name={name} defaultValue={value} placeholder={placeholder} className="mt-1 w-40" /></label>;
}

function FilterSelect({ name, label, value, options }: { name: string; label: string; value?: string; options: [string, string][] }) {
  return (
    <label className="flex flex-col text-xs text-zinc-500">{label}
      <Select name={name} defaultValue={value ?? ""} className="mt-1 w-40">{options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}</Select>
    </label>
  );
}
