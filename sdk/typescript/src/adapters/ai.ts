import type { Tool, ToolExecutionOptions } from "ai";
import { clearThenRun, type ToolOptions } from "../instrument";

/**
 * Vercel AI SDK tools whose `execute` asks Ledgix first; the record key is the tool name.
 * A denial or any vault failure throws before the original `execute` runs (fail closed); a
 * reviewer's edit runs it with the approved input.
 */
export function withLedgix<T extends Record<string, Tool>>(tools: T, options: Omit<ToolOptions, "name"> = {}): T {
  const wrapped: Record<string, Tool> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = tool.execute;
    wrapped[name] = execute
      ? {
          ...tool,
          execute: (input: unknown, execution: ToolExecutionOptions) =>
            clearThenRun(name, input as Record<string, unknown>, options, (approved) => execute(approved as never, execution)),
        }
      : tool;
  }
  return wrapped as T;
}
