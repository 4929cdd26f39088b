import type { BaseToolWithCall } from "@llamaindex/core/llms";
import { FunctionTool } from "@llamaindex/core/tools";
import type { JSONValue } from "@llamaindex/core/global";
import { clearThenRun, type ToolOptions } from "../instrument";

/**
 * A LlamaIndex.TS tool that asks Ledgix before every call, with the original's metadata.
 * A denial or any vault failure throws before the original runs (fail closed); a reviewer's
 * edit runs it with the approved input.
 */
export function withLedgix<T>(original: BaseToolWithCall<T>, options: Omit<ToolOptions, "name"> = {}): FunctionTool<T, Promise<JSONValue>> {
  const name = original.metadata.name;
  return new FunctionTool<T, Promise<JSONValue>>(
    (input: T) => clearThenRun(name, input as Record<string, unknown>, options, (approved) => original.call(approved as T) as JSONValue),
    original.metadata as never,
  );
}
