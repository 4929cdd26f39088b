import { DynamicStructuredTool, type StructuredToolInterface } from "@langchain/core/tools";
import { clearThenRun, type ToolOptions } from "../instrument";

const asArgs = (input: unknown): Record<string, unknown> =>
  input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : { input };

/**
 * A LangChain.js tool that asks Ledgix before every call. The original tool runs only
 * after an approval; a denial or any vault failure throws first (fail closed).
 */
export function withLedgix(original: StructuredToolInterface, options: Omit<ToolOptions, "name"> = {}): DynamicStructuredTool {
  return new DynamicStructuredTool({
    name: original.name,
    description: original.description,
    schema: original.schema as never,
    func: async (input: unknown, _runManager, config) =>
      clearThenRun(original.name, asArgs(input), options, () => original.invoke(input as never, config)),
  });
}
