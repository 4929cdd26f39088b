"use client";
import { FieldError, Label, Textarea } from "@/components/ui/input";
import { argsDiff, readArgsText, type FieldChange, type ToolArgs } from "@/lib/review/args-diff";

const shown = (value: unknown) => JSON.stringify(value);

/** What an edit changes, field by field: the old value struck through, the new one beside it. */
export function ArgsDiffView({ changes }: { changes: FieldChange[] }) {
  if (changes.length === 0) return <p className="text-xs text-zinc-500">No change yet: approving sends the call as asked.</p>;
  return (
    <ul className="space-y-1 font-mono text-xs" aria-label="Changes" data-testid="args-diff">
      {changes.map(({ field, before, after }) => (
        <li key={field} className="flex flex-wrap items-baseline gap-x-2">
          <span className="text-zinc-500">{field}</span>
          {before !== undefined && <del className="rounded bg-red-50 px-1 text-red-700 dark:bg-red-950 dark:text-red-300">{shown(before)}</del>}
          {after !== undefined && <ins className="rounded bg-emerald-50 px-1 text-emerald-700 no-underline dark:bg-emerald-950 dark:text-emerald-300">{shown(after)}</ins>}
        </li>
      ))}
    </ul>
  );
}

/** The arguments as editable JSON, and the diff against those asked for as the reviewer types. */
export function ArgsEditor({ original, text, onChange }: { original: ToolArgs; text: string; onChange: (text: string) => void }) {
  const read = readArgsText(text);
  return (
    <div className="space-y-2">
      <Label htmlFor="edited-args" className="sr-only">Edited arguments (JSON)</Label>
      <Textarea id="edited-args" value={text} onChange={(e) => onChange(e.target.value)} rows={Math.min(16, text.split("\n").length + 1)}
        spellCheck={false} className="font-mono text-[13px]" aria-invalid={"problem" in read} />
      {"problem" in read ? <FieldError>{read.problem}</FieldError> : <ArgsDiffView changes={argsDiff(original, read.args)} />}
    </div>
  );
}
