"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { OverviewStats } from "@/lib/clearance/overview-stats";

// The status colours of the badges, so a colour means the same thing everywhere.
const SERIES = [
  ["approved", "#059669"],
  ["denied", "#dc2626"],
  ["pending_review", "#d97706"],
  ["processing", "#2563eb"],
] as const;

export function DecisionsChart({ series, hourly }: { series: OverviewStats["series"]; hourly: boolean }) {
  const format = (t: string) => (hourly ? new Date(t).toISOString().slice(11, 16) : new Date(t).toISOString().slice(5, 10));
  return (
    <ResponsiveContainer width="100%" height={260}>
      {/* Bars, not an area: an interpolated area drew activity across days that had none. */}
      <BarChart data={series} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.1} />
        <XAxis dataKey="t" tickFormatter={format} tick={{ fontSize: 12, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} />
        <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} />
        <Tooltip cursor={{ fill: "currentColor", fillOpacity: 0.06 }} labelFormatter={(t) => `${String(t).replace("T", " ").slice(0, 16)} UTC`} contentStyle={{ fontSize: 12, borderRadius: 6 }} />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => v.replace("_", " ")} />
        {SERIES.map(([key, colour]) => <Bar key={key} dataKey={key} stackId="1" fill={colour} fillOpacity={0.85} maxBarSize={32} isAnimationActive={false} />)}
      </BarChart>
    </ResponsiveContainer>
  );
}
