import { compileCondition, globPattern, type CompiledCondition } from "./condition";
import type { PolicyDocument, PolicyRule } from "./schemas";

export interface CompiledRule {
  rule: PolicyRule;
  condition: CompiledCondition | null;
}

export interface ToolRules {
  /** Whether the policy's `tools` list (empty = all) covers the tool. */
  covered: boolean;
  /** The rules whose tool glob matches, in policy order. */
  rules: CompiledRule[];
}

export interface CompiledPolicy {
  forTool(tool: string): ToolRules;
}

const MAX_TOOLS_CACHED = 1000;

function compile(document: PolicyDocument): CompiledPolicy {
  const rules = document.rules.map((rule) => ({
    rule,
    condition: rule.when ? compileCondition(rule.when) : null,
    matches: /[*?]/.test(rule.tool) ? ((tool: string) => globPattern(rule.tool).test(tool)) : (tool: string) => tool === rule.tool,
  }));
  const toolPatterns = document.tools.map(globPattern);
  // Each tool name's candidate rules are worked out once: a request then only visits
  // the rules that can apply to it, in order, without touching a glob.
  const byTool = new Map<string, ToolRules>();
  const forTool = (tool: string) => {
    let found = byTool.get(tool);
    if (!found) {
      const covered = toolPatterns.length === 0 || toolPatterns.some((pattern) => pattern.test(tool));
      found = { covered, rules: rules.filter((r) => r.matches(tool)).map(({ rule, condition }) => ({ rule, condition })) };
      if (byTool.size >= MAX_TOOLS_CACHED) byTool.clear();
      byTool.set(tool, found);
    }
    return found;
  };
  return { forTool };
}

// Keyed by the parsed document, which resolve-policy keeps once per immutable version:
// the clearance path never re-parses or re-compiles a policy.
const compiled = new WeakMap<PolicyDocument, CompiledPolicy>();

export function compiledPolicy(document: PolicyDocument): CompiledPolicy {
  let policy = compiled.get(document);
  if (!policy) {
    policy = compile(document);
    compiled.set(document, policy);
  }
  return policy;
}
