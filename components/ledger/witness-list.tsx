import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Badge } from "@/components/ui/status-badge";
import type { listWitnesses, WitnessState } from "@/lib/ledger/witnesses";

const STATE_STYLE: Record<WitnessState, string> = {
  cosigning: "bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
  failing: "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300",
  waiting: "",
};

/** The tenant's witnesses: whether each cosigns, the largest tree it cosigned, and why it last refused. */
export function WitnessList({ witnesses, quorum }: { witnesses: Awaited<ReturnType<typeof listWitnesses>>; quorum: number }) {
  return (
    <Card>
      <CardHeader><CardTitle>Witnesses</CardTitle></CardHeader>
      <ul className="text-sm" data-testid="witnesses">
        {witnesses.map((w) => (
          <li key={w.id} className="space-y-1 border-b border-zinc-100 px-4 py-2 last:border-0 dark:border-zinc-800/60" data-testid="witness">
            <div className="flex items-center justify-between gap-2">
              <code className="truncate font-mono text-xs" title={w.verifierKey}>{w.name}</code>
              <Badge className={STATE_STYLE[w.state]}>{w.state}</Badge>
            </div>
            <p className="text-xs text-zinc-500">{w.cosignedSize === null ? "Has not cosigned yet" : `Cosigned tree size ${w.cosignedSize}`}</p>
            {w.lastError && <p className="text-xs break-words text-red-700 dark:text-red-300">{w.lastError}</p>}
          </li>
        ))}
        {witnesses.length === 0 && (
          <li className="p-4 text-zinc-500">None. Add one with <code className="font-mono text-xs">ledgix witness add</code>: independent witnesses cosign a checkpoint only if it extends every one they saw.</li>
        )}
      </ul>
      {witnesses.length > 0 && <p className="border-t border-zinc-100 px-4 py-2 text-xs text-zinc-500 dark:border-zinc-800/60">Checkpoints are served once {quorum === 0 ? "signed (no quorum set)" : `${quorum} witness(es) cosigned them`}.</p>}
    </Card>
  );
}
