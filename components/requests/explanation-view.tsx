import { Badge } from "@/components/ui/status-badge";
import type { Explanation } from "@/lib/policy/explanation";

const DECIDED_BY: Record<Explanation["decided_by"], string> = {
  rule: "A structured rule decided.",
  judge: "No rule matched; the model judged the plain-English rules.",
  none: "No rule matched and nothing judged it.",
};

/** How the policy reached its verdict: the rules tried, the limits checked, and what the judge said. */
export function ExplanationView({ explanation: e }: { explanation: Explanation }) {
  return (
    <div className="mt-2 space-y-2 text-sm" data-testid="explanation">
      <p>{DECIDED_BY[e.decided_by]}</p>
      {e.rules_evaluated.length > 0 && (
        <p className="flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
          Rules tried, in order:
          {e.rules_evaluated.map((id) => <Badge key={id} className={e.matched_rule_ids.includes(id) ? "bg-blue-50 text-blue-700 dark:bg-blue-950 dark:text-blue-300" : ""}>{id}{e.matched_rule_ids.includes(id) ? " ✓" : ""}</Badge>)}
        </p>
      )}
      {e.limits.length > 0 && (
        <ul className="space-y-0.5 text-xs">
          {e.limits.map((l) => (
            <li key={`${l.rule_id}:${l.limit}`} className={l.exceeded ? "text-red-600 dark:text-red-400" : "text-zinc-500"}>
              Limit <code className="font-mono">{l.limit}</code>: {l.used} of {l.max}{l.exceeded ? ", exceeded" : ""}
            </li>
          ))}
        </ul>
      )}
      {e.judge && (
        <div className="rounded-md border border-zinc-200 p-2 text-xs dark:border-zinc-800">
          <p className="font-medium">
            Judge {e.judge.model}: {e.judge.error ? `no verdict (${e.judge.error.replaceAll("_", " ")})` : `${e.judge.decision}, confidence ${e.judge.confidence_bucket?.replace("_", " ")}`}
            <span className="font-normal text-zinc-500"> · {e.judge.latency_ms} ms{e.judge.cached ? ", cached" : ""}</span>
          </p>
          {e.judge.reason && <p className="mt-1">{e.judge.reason}</p>}
          {e.judge.rule && <p className="mt-1 text-zinc-500">Under: “{e.judge.rule}”</p>}
        </div>
      )}
      <p className="font-mono text-[11px] text-zinc-400" title="Ledger version 3 records these hashes">inputs {e.inputs_hash.slice(7, 19)}… · trace {e.trace_hash.slice(7, 19)}…</p>
    </div>
  );
}
