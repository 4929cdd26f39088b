import { jcs } from "@/lib/canonical-json";

// Plain functions (no server imports): the inbox's editor shows the same diff the server checks.

export type ToolArgs = Record<string, unknown>;

/** One top-level field an edit changed; `before` or `after` is absent when the field was added or removed. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** The top-level fields whose values differ, or that only one side has, sorted by name. */
export function argsDiff(before: ToolArgs, after: ToolArgs): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return fields
    .filter((field) => !(field in before) || !(field in after) || jcs(before[field]) !== jcs(after[field]))
    .map((field) => ({ field, ...(field in before && { before: before[field] }), ...(field in after && { after: after[field] }) }));
}

/** A reviewer's text as edited arguments, or why it is not: the editor's quick check, before the server's full one. */
export function readArgsText(text: string): { args: ToolArgs } | { problem: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "The arguments must be a JSON object." };
    return { args: value as ToolArgs };
  } catch (error) {
    return { problem: `Not valid JSON: ${(error as Error).message}` };
  }
}
