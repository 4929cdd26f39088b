import { diffLines } from "diff";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Policy diff" };

export default async function PolicyDiffPage({ searchParams }: { searchParams: Promise<{ from?: string; to?: string }> }) {
  const member = await requireMember("view");
  const { from, to } = await searchParams;
  if (!from || !to) notFound();
  const versions = await (await prisma()).policyVersion.findMany({ where: { tenantId: member.tenant.id, id: { in: [from, to] } }, select: { id: true, source: true, contentHash: true } });
  const a = versions.find((v) => v.id === from);
  const b = versions.find((v) => v.id === to);
  if (!a || !b) notFound();
  const line = { old: 1, new: 1 };
  return (
    <>
      <PageHeader title="Policy diff" description={`${a.contentHash.slice(0, 15)}… → ${b.contentHash.slice(0, 15)}…`} />
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
