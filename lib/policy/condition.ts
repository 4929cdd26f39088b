import { parse } from "@marcbachmann/cel-js";

type Compiled = ReturnType<typeof parse>;

// Expressions are few and reused on every request; keep the compiled forms.
const compiled = new Map<string, Compiled>();
const MAX_CACHED = 2000;

export function compileCondition(source: string): Compiled {
  let expression = compiled.get(source);
  if (!expression) {
    expression = parse(source);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, expression);
  }
  return expression;
}

export interface ConditionInput {
  args: Record<string, unknown>;
  tool: string;
  agent_id: string;
  session_id: string;
  context: Record<string, unknown>;
  now: Date;
}

/** Evaluates a `when` condition. Throws when it fails or yields anything but a boolean. */
export function evaluateCondition(source: string, input: ConditionInput): boolean {
  const result = compileCondition(source)(input as unknown as Record<string, unknown>);
  if (typeof result !== "boolean") throw new Error(`condition yielded ${typeof result}, not a boolean`);
  return result;
}

/** `*` matches any run of characters, `?` exactly one; everything else is literal. */
export function matchesGlob(glob: string, name: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`, "s").test(name);
}
