import { Download } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { VerifyInBrowser } from "@/components/ledger/verify-in-browser";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listCheckpoints, listEntries } from "@/lib/ledger/read-ledger";
import { checkpointVerifierKey } from "@/lib/ledger/checkpoint-note";
import { listWitnesses } from "@/lib/ledger/witnesses";
import { WitnessList } from "@/components/ledger/witness-list";

export const metadata: Metadata = { title: "Ledger" };

const short = (h: string) => (h.length > 16 ? `${h.slice(0, 8)}…${h.slice(-4)}` : h);

export default async function LedgerPage() {
  const member = await requireMember("view");
  const client = await prisma();
  const [entries, checkpoints, verifierKey, witnesses, settings] = await Promise.all([
    listEntries(client, member.tenant.id, 50),
    listCheckpoints(client, member.tenant.id, 10),
    checkpointVerifierKey(client, member.tenant.id),
    listWitnesses(client, member.tenant.id),
    client.tenant.findUniqueOrThrow({ where: { id: member.tenant.id }, select: { witnessQuorum: true } }),
  ]);
  // A C2SP verifier key is `<origin>+<key hash>+<key>`.
  const origin = verifierKey.split("+")[0]!;
  const witnessPolicy = { witnesses: witnesses.map((w) => w.verifierKey), min: settings.witnessQuorum, origin };
  return (
    <>
      <PageHeader title="Ledger" description="Every final decision, in an append-only Merkle tree with signed checkpoints. Download a decision's proof bundle and check it with `npx ledgix verify`, without trusting this server." />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_320px]">
        <Card className="overflow-x-auto">
          <CardHeader><CardTitle>Latest entries</CardTitle></CardHeader>
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
              <tr><th className="px-4 py-2 font-medium">Leaf</th><th className="px-4 py-2 font-medium">Tool</th><th className="px-4 py-2 font-medium">Decision</th><th className="px-4 py-2 font-medium">Event hash</th><th className="px-4 py-2 font-medium">Checkpoint</th><th /></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60" data-testid="ledger-entry">
                  <td className="px-4 py-2 font-mono text-xs">{e.leaf_index ?? "pending"}</td>
                  <td className="px-4 py-2 font-mono"><Link href={`/requests/${e.request_id}`} className="hover:underline">{e.tool_name}</Link></td>
                  <td className="px-4 py-2"><Badge>{e.approved ? "approved" : "denied"}</Badge></td>
                  <td className="px-4 py-2 font-mono text-xs whitespace-nowrap text-zinc-500" title={e.event_hash}>{short(e.event_hash)}</td>
                  <td className="px-4 py-2 text-xs text-zinc-500">{e.checkpoint_id ?? "not yet"}</td>
                  <td className="px-4 py-2 text-right whitespace-nowrap">
                    {e.checkpoint_id !== null && (
                      <span className="inline-flex flex-col items-end gap-0.5">
                        <VerifyInBrowser requestId={e.request_id} leafIndex={e.leaf_index} witnesses={witnessPolicy} />
                        <a href={`/api/dashboard/ledger/bundle?request_id=${e.request_id}`} download className="inline-flex items-center gap-1 text-xs font-medium text-accent hover:underline"><Download className="size-3.5" />Bundle</a>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === 0 && <p className="p-10 text-center text-sm text-zinc-500">No entries yet: each approved or denied request is written here.</p>}
        </Card>
        <div className="space-y-6">
          <Card>
            <CardHeader><CardTitle>Verifier key for witnesses</CardTitle></CardHeader>
            <div className="space-y-2 p-4 text-sm">
              <p className="text-zinc-500">Origin <code className="font-mono text-xs">{origin}</code>. Checkpoints are served as C2SP signed notes at <code className="font-mono text-xs">GET /api/ledger/checkpoint</code>.</p>
              <code className="block rounded-md bg-zinc-100 p-2 font-mono text-xs break-all dark:bg-zinc-950" data-testid="verifier-key">{verifierKey}</code>
              <CopyButton value={verifierKey} label="Copy verifier key" />
            </div>
          </Card>
          <WitnessList witnesses={witnesses} quorum={settings.witnessQuorum} />
          <Card>
            <CardHeader><CardTitle>Checkpoints</CardTitle></CardHeader>
            <ul className="text-sm">
              {checkpoints.map((c) => (
                <li key={c.checkpoint_id} className="flex items-center justify-between gap-2 border-b border-zinc-100 px-4 py-2 last:border-0 dark:border-zinc-800/60">
                  <span>#{c.checkpoint_id} <span className="text-zinc-500">size {c.tree_size}</span></span>
                  <code className="font-mono text-xs text-zinc-500" title={c.root_hash}>{short(c.root_hash)}</code>
                </li>
              ))}
              {checkpoints.length === 0 && <li className="p-4 text-zinc-500">None yet; the sequencer signs one within seconds of the first entry.</li>}
            </ul>
          </Card>
        </div>
      </div>
    </>
  );
}
