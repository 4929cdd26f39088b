"use client";
import Link from "next/link";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, HelpText, Input, Label, Select } from "@/components/ui/input";
import { StatusBadge } from "@/components/ui/status-badge";
import type { replay } from "@/lib/policy/replay";

type Report = Awaited<ReturnType<typeof replay>>;
type Line = { progress?: { done: number; total: number }; result?: Report; error?: { code: string; message: string } };

export interface ReplayableVersion { id: string; label: string }

const percent = (rate: number | null) => (rate === null ? "–" : `${(rate * 100).toFixed(1)}%`);

/** Replays a stored version against the tenant's recent requests, with progress, then shows what would change. */
export function ReplayPanel({ versions }: { versions: ReplayableVersion[] }) {
  const [versionId, setVersionId] = useState(versions[0]?.id ?? "");
  const [last, setLast] = useState(500);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);

  async function run() {
    setRunning(true); setReport(undefined); setError(undefined); setProgress({ done: 0, total: 0 });
    try {
      const response = await fetch("/api/dashboard/policies/replay", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ policy_version_id: versionId, last }),
      });
      if (!response.ok || !response.body) throw new Error(((await response.json()) as Line).error?.message ?? `HTTP ${response.status}`);
      // Newline-delimited JSON: each complete line is a progress step, the result, or an error.
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = "";
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffered += chunk.value;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines.filter(Boolean).map((l) => JSON.parse(l) as Line)) {
          if (line.progress) setProgress(line.progress);
          if (line.result) setReport(line.result);
          if (line.error) setError(line.error.message);
        }
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  }

  const transitions = Object.entries(report?.transitions ?? {}).map(([change, count]) => ({ change: change.replace("->", " → ").replaceAll("_", " "), count }));
  return (
    <Card data-testid="replay-panel">
      <CardHeader><CardTitle>Replay against history</CardTitle></CardHeader>
      <div className="space-y-3 p-4">
        <HelpText>Decide the tenant&apos;s recent requests again under another version, each at the time it was made, and see where it differs from what the policy decided then (a request sent to review counts as &ldquo;review&rdquo;, whatever a person decided). Nothing is stored.</HelpText>
        <div className="flex items-end gap-3">
          <div className="flex-1 space-y-1">
            <Label htmlFor="replay-version">Version</Label>
            <Select id="replay-version" value={versionId} onChange={(e) => setVersionId(e.target.value)}>
              {versions.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
            </Select>
          </div>
          <div className="w-28 space-y-1">
            <Label htmlFor="replay-last">Last requests</Label>
            <Input id="replay-last" type="number" min={1} max={5000} value={last} onChange={(e) => setLast(Number(e.target.value))} />
          </div>
          <Button onClick={run} disabled={running || !versionId}>{running ? "Replaying…" : "Replay"}</Button>
        </div>
        {progress && running && (
          <div role="progressbar" aria-label="Replay progress" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done} className="space-y-1">
            <div className="h-2 overflow-hidden rounded bg-zinc-100 dark:bg-zinc-800">
              <div className="h-full bg-blue-600 transition-[width]" style={{ width: `${progress.total ? (100 * progress.done) / progress.total : 0}%` }} />
            </div>
            <HelpText>{progress.total ? `${progress.done} of ${progress.total} requests` : "Reading history…"}</HelpText>
          </div>
        )}
        {error && <FieldError>{error}</FieldError>}
        {report && <ReplayReport report={report} transitions={transitions} />}
      </div>
    </Card>
  );
}

function ReplayReport({ report, transitions }: { report: Report; transitions: { change: string; count: number }[] }) {
  return (
    <div className="space-y-4" data-testid="replay-report">
      <dl className="grid grid-cols-3 gap-3 text-sm">
        <Stat label="Same decision" value={percent(report.agreement_rate)} detail={`${report.agreed} of ${report.replayed}`} />
        <Stat label="Agrees with people" value={percent(report.human_decisions.agreement_rate)} detail={`${report.human_decisions.agreed} of ${report.human_decisions.total} human decisions`} />
        <Stat label="Judge agrees with people" value={percent(report.judge_vs_human.agreement_rate)} detail={`${report.judge_vs_human.total} judged`} />
      </dl>
      {transitions.length > 0 && (
        <ResponsiveContainer width="100%" height={40 + 32 * transitions.length}>
          <BarChart data={transitions} layout="vertical" margin={{ left: 24, right: 16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.1} />
            <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} />
            <YAxis type="category" dataKey="change" width={190} tick={{ fontSize: 12, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} />
            <Tooltip contentStyle={{ fontSize: 12, borderRadius: 6 }} />
            <Bar dataKey="count" name="requests" fill="#d97706" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
      {report.changed.length === 0 ? <p className="text-sm text-emerald-600">No request would be decided differently.</p> : (
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Requests that would change">
          {report.changed.slice(0, 50).map((c) => (
            <li key={c.request_id} className="flex items-center gap-2 py-1.5">
              <Link href={`/requests/${c.request_id}`} className="font-mono text-xs hover:underline">{c.tool_name}</Link>
              <StatusBadge status={c.was} /><span aria-hidden>→</span><StatusBadge status={c.would_be} />
              <span className="truncate text-xs text-zinc-500">{c.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const Stat = ({ label, value, detail }: { label: string; value: string; detail: string }) => (
  <div className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
    <dt className="text-xs text-zinc-500">{label}</dt>
    <dd className="text-xl font-semibold tabular-nums">{value}</dd>
    <dd className="text-xs text-zinc-500">{detail}</dd>
  </div>
);
