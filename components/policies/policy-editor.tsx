"use client";
import { Upload } from "lucide-react";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, HelpText } from "@/components/ui/input";
import { uploadPolicyAction, type PolicyActionResult } from "@/lib/policy/actions";
import { cn } from "@/lib/utils";

// The example guards the sign: `args.amount <= 100` alone would allow a refund of -5000.
const PLACEHOLDER = `policy_id: refunds
rules:
  - id: small-refunds
    tool: stripe_refund
    when: args.amount > 0 && args.amount <= 100
    effect: allow`;

/** The version the editor starts from: the active one, or the one a person chose to edit. */
export interface EditedVersion { source: string; label: string }

/** Paste or upload a policy; problems are marked on their lines. */
export function PolicyEditor({ from }: { from?: EditedVersion }) {
  const [source, setSource] = useState(from?.source ?? "");
  const [result, setResult] = useState<PolicyActionResult>();
  const [pending, start] = useTransition();
  const gutter = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const lineCount = Math.max(12, source.split("\n").length);
  const badLines = new Set(result?.ok === false ? result.problems.map((p) => p.line).filter(Boolean) : []);

  const submit = () => start(async () => {
    const r = await uploadPolicyAction(source);
    setResult(r);
    if (r.ok) router.refresh();
  });

  return (
    <Card>
      <CardHeader className="flex items-center justify-between">
        <div>
          <CardTitle>New version</CardTitle>
          {from && <p className="mt-0.5 text-xs text-zinc-500" data-testid="editor-start">Starting from {from.label}. Edit it and save to make a new version.</p>}
        </div>
        <label className="inline-flex cursor-pointer items-center gap-1.5 text-xs font-medium text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
          <Upload className="size-3.5" />Upload file
          <input type="file" accept=".yaml,.yml,.json" className="sr-only" data-testid="policy-file"
            onChange={(e) => { const file = e.target.files?.[0]; if (file) void file.text().then((t) => { setSource(t); setResult(undefined); }); }} />
        </label>
      </CardHeader>
      <div className="flex max-h-[420px] overflow-hidden font-mono text-[13px] leading-5">
        <div ref={gutter} aria-hidden className="overflow-hidden border-r border-zinc-200 bg-zinc-50 px-2 py-2 text-right text-zinc-400 select-none dark:border-zinc-800 dark:bg-zinc-950">
          {Array.from({ length: lineCount }, (_, i) => <div key={i} className={cn(badLines.has(i + 1) && "bg-red-100 font-bold text-red-600 dark:bg-red-950")}>{i + 1}</div>)}
        </div>
        <label htmlFor="policy-source" className="sr-only">Policy (YAML or JSON)</label>
        <textarea id="policy-source" value={source} spellCheck={false} placeholder={PLACEHOLDER}
          onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
          onChange={(e) => { setSource(e.target.value); setResult(undefined); }}
          className="min-h-[240px] flex-1 resize-none bg-transparent px-3 py-2 whitespace-pre outline-none focus-visible:outline-none" rows={lineCount} />
      </div>
      <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
        {result?.ok === false && (
          <ul className="space-y-1" data-testid="policy-problems">
            {result.problems.map((p, i) => (
              <li key={i}>
                <FieldError>{p.line ? `Line ${p.line}${p.column ? `, column ${p.column}` : ""}: ` : ""}{p.message}</FieldError>
                {p.excerpt !== undefined && <pre className="mt-1 overflow-x-auto rounded bg-red-50 px-2 py-1 font-mono text-xs text-red-900 dark:bg-red-950/60 dark:text-red-200">{p.excerpt.replace(/\t/g, "→   ")}</pre>}
              </li>
            ))}
          </ul>
        )}
        {result?.ok && <p role="status" className="text-sm text-emerald-600">{result.created ? `Saved ${result.policyId} as version ${result.versionId}; it is active now.` : `Unchanged: this is already ${result.policyId}'s active version.`}</p>}
        <div className="flex items-center justify-between">
          <HelpText>YAML or JSON; the policy_id inside names the policy. Saving makes it the active version.</HelpText>
          <Button onClick={submit} disabled={pending || !source.trim()}>Save and activate</Button>
        </div>
      </div>
    </Card>
  );
}
