"use client";
import { CircleCheck, CircleMinus, CircleX, LoaderCircle, ShieldCheck } from "lucide-react";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import type { CheckName, CheckRecord, Verification } from "@/sdk/typescript/src/ledger/checks";
import type { ProofBundle } from "@/sdk/typescript/src/ledger/types";
import { noteCosigners, verifyBundleWebCrypto } from "@/sdk/typescript/src/ledger/webcrypto";

// Verifies a decision's proof bundle in the browser with WebCrypto, so the verdict does not rest on
// this server: the SDK's own checks (the same as `ledgix verify`), shown one by one as they pass.

const CHECK_LABELS: Record<CheckName, string> = {
  keys: "Embedded public keys",
  event_hash: "Event hash",
  leaf_hash: "Leaf hash",
  receipt_fields: "Receipt fields",
  receipt_payload: "Receipt payload",
  receipt_signature: "Receipt signature",
  checkpoint_chain: "Checkpoint chain",
  checkpoint_fields: "Checkpoint fields",
  checkpoint_payload: "Checkpoint payload",
  checkpoint_hash: "Checkpoint hash",
  checkpoint_signature: "Checkpoint signature",
  root_coverage: "Root over all leaves",
  inclusion_binding: "Inclusion proof matches the event",
  inclusion_proof: "Inclusion in the checkpoint",
  consistency_binding: "Consistency starts at that checkpoint",
  consistency_proof: "Consistency to the latest checkpoint",
  checkpoint_note: "Checkpoint note states the latest checkpoint",
  witness_cosignatures: "Witness cosignatures",
};

type Run =
  | { phase: "fetching" }
  | { phase: "verifying" | "done"; bundle: ProofBundle; checks: CheckRecord[]; result?: Verification; cosigners?: Cosigner[] }
  | { phase: "error"; message: string };

async function fetchBundle(requestId: string): Promise<ProofBundle> {
  const response = await fetch(`/api/dashboard/ledger/bundle?request_id=${encodeURIComponent(requestId)}`);
  if (!response.ok) throw new Error(`Could not fetch the proof bundle (HTTP ${response.status}). Reload the page and try again.`);
  return (await response.json()) as ProofBundle;
}

type Cosigner = { name: string; time: number };

/** The tenant's witnesses (C2SP vkeys), how many must have cosigned the bundle's newest checkpoint, and the log's origin. */
export interface BrowserWitnessPolicy {
  witnesses: string[];
  min: number;
  origin: string;
}

const short = (h: string) => (h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h);

export function VerifyInBrowser({ requestId, leafIndex, witnesses }: { requestId: string; leafIndex?: number | null; witnesses: BrowserWitnessPolicy }) {
  const [run, setRun] = useState<Run>({ phase: "fetching" });
  const current = useRef(0);

  async function start() {
    const id = ++current.current;
    const update = (next: Run) => id === current.current && setRun(next);
    setRun({ phase: "fetching" });
    try {
      const bundle = await fetchBundle(requestId);
      const checks: CheckRecord[] = [];
      update({ phase: "verifying", bundle, checks: [] });
      const result = await verifyBundleWebCrypto(bundle, {
        onCheck: (record) => {
          checks.push(record);
          update({ phase: "verifying", bundle, checks: [...checks] });
        },
        ...(witnesses.witnesses.length > 0 && { witnesses }),
      });
      // Only for tenants with witnesses: the others have no cosignatures to show.
      const cosigners = result.ok && bundle.checkpoint_note && witnesses.witnesses.length > 0
        ? await noteCosigners(bundle.checkpoint_note, witnesses.witnesses) : undefined;
      update({ phase: "done", bundle, checks: result.checks, result, ...(cosigners && { cosigners }) });
    } catch (error) {
      update({ phase: "error", message: error instanceof Error ? error.message : String(error) });
    }
  }

  return (
    <Dialog onOpenChange={(open) => (open ? void start() : current.current++)}>
      <DialogTrigger asChild>
        {/* Styled as the row's other action (the Bundle link); "in browser" only where the table has room for it. */}
        <button
          type="button"
          className="inline-flex items-center gap-1 rounded-sm text-xs font-medium text-accent hover:underline focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none"
          aria-label={`Verify in browser: leaf ${leafIndex ?? "pending"}`}
          title="Verify in browser"
        >
          <ShieldCheck className="size-3.5" aria-hidden /><span>Verify<span className="hidden 2xl:inline"> in browser</span></span>
        </button>
      </DialogTrigger>
      <DialogContent
        title="Verify in browser"
        description="This decision's proof bundle, checked by your browser's WebCrypto (SHA-256, Ed25519) with the same checks as npx ledgix verify."
        className="max-h-[calc(100dvh-2rem)] max-w-2xl overflow-y-auto"
      >
        <RunView run={run} onRetry={() => void start()} />
      </DialogContent>
    </Dialog>
  );
}

function RunView({ run, onRetry }: { run: Run; onRetry: () => void }) {
  if (run.phase === "fetching") {
    return <p className="flex items-center gap-2 text-sm text-zinc-500" role="status"><LoaderCircle className="size-4 animate-spin" aria-hidden />Fetching the proof bundle…</p>;
  }
  if (run.phase === "error") {
    return (
      <div className="space-y-3">
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">{run.message}</p>
        <Button type="button" variant="outline" size="sm" onClick={onRetry}>Try again</Button>
      </div>
    );
  }
  const { bundle, checks, result } = run;
  const checkpoint = bundle.inclusion.checkpoint;
  const latest = bundle.consistency?.to_checkpoint ?? checkpoint;
  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 sm:grid-cols-[auto_minmax(0,1fr)_auto_minmax(0,1fr)] gap-y-1 text-sm" data-testid="verify-summary">
        <dt className="text-zinc-500">Leaf index</dt><dd className="font-mono">{bundle.inclusion.leaf_index}</dd>
        <dt className="text-zinc-500">Tree size</dt><dd className="font-mono">{checkpoint.tree_size}{latest !== checkpoint && <span className="text-zinc-500"> (latest {latest.tree_size})</span>}</dd>
        <dt className="text-zinc-500">Root hash</dt><dd className="font-mono" title={checkpoint.root_hash}>{short(checkpoint.root_hash)}</dd>
        <dt className="text-zinc-500">Key id</dt><dd className="font-mono break-all">{checkpoint.signer_key_id}</dd>
      </dl>
      <ol className="divide-y divide-zinc-100 rounded-md border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800" aria-label="Checks" aria-live="polite">
        {checks.map((record, i) => <CheckRow key={i} record={record} />)}
        {result && !result.ok && <FailedRow check={result.failed} subject={result.subject} detail={result.detail} />}
        {run.phase === "verifying" && (
          <li className="flex items-center gap-2 px-3 py-0.5 text-zinc-500"><LoaderCircle className="size-4 animate-spin" aria-hidden />Checking…</li>
        )}
      </ol>
      {run.cosigners && <CosignerList cosigners={run.cosigners} />}
      {result?.ok && (
        <p role="status" data-testid="verify-verdict" className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-300">
          All {result.checks.filter((c) => c.status === "passed").length} checks passed: this entry is in the signed ledger and the ledger has only grown since.
        </p>
      )}
      {result && !result.ok && (
        <p role="alert" data-testid="verify-verdict" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">
          Verification failed at “{CHECK_LABELS[result.failed]}” ({result.subject}); the reason is in the list above. Do not rely on this entry: download its bundle and check it with npx ledgix verify.
        </p>
      )}
    </div>
  );
}

function CheckRow({ record }: { record: CheckRecord }) {
  const passed = record.status === "passed";
  return (
    <li className="flex items-start gap-2 px-3 py-0.5" data-testid="verify-check" data-check={record.check} data-status={record.status}>
      {passed
        ? <CircleCheck className="mt-0.5 size-4 shrink-0 text-emerald-600 dark:text-emerald-400" aria-label="passed" />
        : <CircleMinus className="mt-0.5 size-4 shrink-0 text-zinc-400" aria-label="skipped" />}
      <span className="min-w-0">
        {CHECK_LABELS[record.check]} <span className="text-zinc-500">· {record.subject}</span>
        {record.detail && <span className="block text-xs text-zinc-500">{record.detail}</span>}
      </span>
    </li>
  );
}

function FailedRow({ check, subject, detail }: { check: CheckName; subject: string; detail: string }) {
  return (
    <li className="flex items-start gap-2 bg-red-50/60 px-3 py-0.5 dark:bg-red-950/40" data-testid="verify-check" data-check={check} data-status="failed">
      <CircleX className="mt-0.5 size-4 shrink-0 text-red-600 dark:text-red-400" aria-label="failed" />
      <span className="min-w-0">
        {CHECK_LABELS[check]} <span className="text-zinc-500">· {subject}</span>
        <span className="block text-xs break-all text-red-700 dark:text-red-300">{detail}</span>
      </span>
    </li>
  );
}

/** Who vouches that the newest checkpoint extends every one they saw: the tenant's witnesses that cosigned it. */
function CosignerList({ cosigners }: { cosigners: Cosigner[] }) {
  return (
    <div className="text-sm" data-testid="verify-cosigners">
      <p className="text-zinc-500">Witness cosignatures on the latest checkpoint</p>
      {cosigners.length === 0
        ? <p className="text-zinc-500">None from this tenant&apos;s witnesses yet.</p>
        : (
          <ul>
            {cosigners.map((c) => (
              <li key={c.name} className="flex items-center gap-2"><CircleCheck className="size-4 text-emerald-600 dark:text-emerald-400" aria-hidden /><code className="font-mono text-xs">{c.name}</code><span className="text-xs text-zinc-500">{new Date(c.time * 1000).toISOString()}</span></li>
            ))}
          </ul>
        )}
    </div>
  );
}
