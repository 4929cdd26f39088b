import { diffLines } from "diff";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireMember } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db";
import { diffVersions } from "@/lib/policy/versions";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Policy diff" };

/** A rule's id with what it does, for the summary: "refund-small (allow)". */
const ruleLabel = (rule: { id: string; effect?: string }) => `${rule.id}${rule.effect ? ` (${rule.effect})` : ""}`;

function Back() {
  return <Link href="/policies" className="mb-2 inline-block text-sm text-zinc-500 hover:underline">← Policies</Link>;
}

export default async function PolicyDiffPage({ searchParams }: { searchParams: Promise<{ from?: string; to?: string }> }) {
  const member = await requireMember("view");
  const { from, to } = await searchParams;
  if (!from || !to) {
    return (
      <>
        <Back />
        <PageHeader title="Policy diff" description="Compare two versions of a policy: which rules were added, removed or changed, and the text line by line." />
        <Card className="p-8 text-center text-sm text-zinc-500" data-testid="diff-empty">
          <p>No versions chosen. On <Link href="/policies" className="font-medium text-accent hover:underline">Policies</Link>, click &ldquo;diff with previous&rdquo; beside a version.</p>
        </Card>
      </>
    );
  }
  const diff = await diffVersions(await prisma(), member.tenant.id, from, to).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  });
  const sources = await (await prisma()).policyVersion.findMany({ where: { tenantId: member.tenant.id, id: { in: [from, to] } }, select: { id: true, source: true } });
  const a = sources.find((v) => v.id === from)!;
  const b = sources.find((v) => v.id === to)!;
  const { rules } = diff;
  const summary: [string, string[], string][] = [
    ["Added", rules.added.map(ruleLabel), "text-emerald-700 dark:text-emerald-400"],
    ["Removed", rules.removed.map(ruleLabel), "text-red-700 dark:text-red-400"],
    ["Changed", rules.changed.map((c) => ruleLabel(c.after)), "text-amber-700 dark:text-amber-400"],
  ];
  const other = [rules.reordered && "the rules' order (the first match wins)", diff.tools_changed && "the tool list", diff.description_changed && "the description", diff.instructions_changed && "the instructions"].filter(Boolean);
  const line = { old: 1, new: 1 };
  return (
    <>
      <Back />
      <PageHeader title={`Policy diff · ${diff.to.policy_id}`} description={`${diff.from.content_hash.slice(0, 15)}… → ${diff.to.content_hash.slice(0, 15)}…`}
        action={<Link href={`/policies/versions/${diff.to.id}`} className="text-sm font-medium text-accent hover:underline">Read the newer version</Link>} />
      <Card className="mb-4 p-4" data-testid="rule-summary">
        <h2 className="mb-2 text-sm font-semibold">Rules</h2>
        <dl className="grid gap-2 text-sm sm:grid-cols-3">
          {summary.map(([label, ids, colour]) => (
            <div key={label}>
              <dt className={cn("font-medium", colour)}>{label}: {ids.length}</dt>
              <dd className="font-mono text-xs break-words text-zinc-600 dark:text-zinc-400">{ids.join(", ") || "—"}</dd>
            </div>
          ))}
        </dl>
        {other.length > 0 && <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">Also changed: {other.join(", ")}.</p>}
      </Card>
      <Card className="overflow-x-auto py-2 font-mono text-[13px] leading-5">
        {diffLines(a.source, b.source).flatMap((part, i) =>
          part.value.replace(/\n$/, "").split("\n").map((text, j) => {
            const numbers = part.added ? ["", line.new++] : part.removed ? [line.old++, ""] : [line.old++, line.new++];
            return (
              <div key={`${i}-${j}`} className={cn("flex whitespace-pre", part.added && "bg-emerald-50 dark:bg-emerald-950/60", part.removed && "bg-red-50 dark:bg-red-950/60")}>
                <span className="w-10 shrink-0 pr-2 text-right text-zinc-400 select-none">{numbers[0]}</span>
                <span className="w-10 shrink-0 pr-2 text-right text-zinc-400 select-none">{numbers[1]}</span>
                <span className="w-4 shrink-0 select-none">{part.added ? "+" : part.removed ? "-" : " "}</span>
                <span>{text}</span>
              </div>
            );
          }),
        )}
      </Card>
    </>
  );
}
