import { DynamicStructuredTool, type StructuredToolInterface } from "@langchain/core/tools";
import { EditedArgsError } from "../errors";
import { clearThenRun, type ToolOptions } from "../instrument";
import type { ClearanceResponse } from "../schemas";

const isArgs = (input: unknown): input is Record<string, unknown> => input !== null && typeof input === "object" && !Array.isArray(input);
const asArgs = (input: unknown): Record<string, unknown> => (isArgs(input) ? input : { input });

/** The tool's input for the approved arguments: the object itself, or `input` back out of `{input}`. */
function inputFor(original: unknown, approved: Record<string, unknown>, clearance: ClearanceResponse): unknown {
  if (!clearance.argsEdited || isArgs(original)) return approved;
  const keys = Object.keys(approved);
  if (keys.length === 1 && keys[0] === "input") return approved.input;
  const why = `the approved arguments are not {"input": …} as asked`;
  throw new EditedArgsError(`A reviewer edited the call (request ${clearance.requestId}), and ${why}; it does not run`, { requestId: clearance.requestId, reason: why });
}

/**
 * A LangChain.js tool that asks Ledgix before every call. The original tool runs only
 * after an approval, with the approved input when a reviewer edited it; a denial or any
 * vault failure throws first (fail closed).
 */
export function withLedgix(original: StructuredToolInterface, options: Omit<ToolOptions, "name"> = {}): DynamicStructuredTool {
  return new DynamicStructuredTool({
    name: original.name,
    description: original.description,
    schema: original.schema as never,
    func: async (input: unknown, _runManager, config) =>
      clearThenRun(original.name, asArgs(input), options, (approved, clearance) => original.invoke(inputFor(input, approved, clearance) as never, config)),
  });
}
