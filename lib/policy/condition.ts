import { Environment } from "@marcbachmann/cel-js";

/**
 * The variables a CEL expression in a policy may use. Declared, so that a typo such as
 * `amount` for `args.amount` is refused at upload instead of failing every request.
 */
const celEnvironment = new Environment({ unlistedVariablesAreDyn: false, limits: { maxAstNodes: 1000, maxDepth: 50 } })
  .registerVariable("args", "map", { description: "The tool call's arguments" })
  .registerVariable("tool", "string")
  .registerVariable("agent_id", "string")
  .registerVariable("session_id", "string")
  .registerVariable("context", "map", { description: "The request's context object" })
  .registerVariable("now", "google.protobuf.Timestamp");

export const CEL_VARIABLES = ["args", "tool", "agent_id", "session_id", "context", "now"] as const;

type Compiled = ReturnType<typeof celEnvironment.parse>;

// Expressions are few and reused on every request; keep the compiled forms.
const compiled = new Map<string, Compiled>();
const MAX_CACHED = 2000;

export function compileCondition(source: string): Compiled {
  let expression = compiled.get(source);
  if (!expression) {
    expression = celEnvironment.parse(source);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, expression);
  }
  return expression;
}

/**
 * Type-checks an expression against the declared variables. Returns the problem (with
 * the excerpt cel-js points into), or null; `expected` is the type it must yield.
 */
export function checkExpression(source: string, expected: "bool" | "number"): string | null {
  let result: ReturnType<typeof celEnvironment.check>;
  try {
    result = celEnvironment.check(source);
  } catch (error) {
    return (error as Error).message.split("\n")[0]!;
  }
  if (!result.valid) {
    const message = result.error?.message.split("\n")[0] ?? "invalid expression";
    return message.startsWith("Unknown variable") ? `${message}; the declared variables are ${CEL_VARIABLES.join(", ")}` : message;
  }
  const type = result.type ?? "dyn";
  const ok = expected === "bool" ? ["bool", "dyn"].includes(type) : ["int", "uint", "double", "dyn"].includes(type);
  return ok ? null : `yields ${type}, not ${expected === "bool" ? "a boolean" : "a number"}`;
}

export interface ConditionInput {
  args: Record<string, unknown>;
  tool: string;
  agent_id: string;
  session_id: string;
  context: Record<string, unknown>;
  now: Date;
}

/** A stored request as the condition sees it, evaluated now. */
export const conditionInputOf = (row: { toolName: string; toolArgs: unknown; agentId: string; sessionId: string; context: unknown }): ConditionInput => ({
  tool: row.toolName,
  args: row.toolArgs as Record<string, unknown>,
  agent_id: row.agentId,
  session_id: row.sessionId,
  context: row.context as Record<string, unknown>,
  now: new Date(),
});

/** Evaluates a compiled `when` condition. Throws when it fails or yields anything but a boolean. */
export function evaluateCompiled(expression: Compiled, input: ConditionInput): boolean {
  const result = expression(input as unknown as Record<string, unknown>);
  if (typeof result !== "boolean") throw new Error(`condition yielded ${typeof result}, not a boolean`);
  return result;
}

export type CompiledCondition = Compiled;

/** `*` matches any run of characters, `?` exactly one; everything else is literal. */
export function globPattern(glob: string): RegExp {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`, "s");
}

export const matchesGlob = (glob: string, name: string) => globPattern(glob).test(name);
