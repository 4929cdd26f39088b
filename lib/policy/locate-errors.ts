import YAML, { LineCounter, isNode } from "yaml";
import { ApiError } from "@/lib/api/errors";
import { parsePolicyDocument } from "./apply-policy";

export interface PolicyProblem {
  /** 1-based line in the source, when the problem can be placed. */
  line?: number;
  message: string;
}

/** Validates a policy and places each problem on its source line, for the editor. */
export function checkPolicySource(source: string): PolicyProblem[] {
  try {
    parsePolicyDocument(source);
    return [];
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const lines = new LineCounter();
    const doc = YAML.parseDocument(source, { lineCounter: lines, uniqueKeys: true });
    const syntax = doc.errors[0];
    if (syntax) return [{ line: syntax.linePos?.[0]?.line, message: syntax.message.split("\n")[0]! }];
    if (!error.details) return [{ message: error.message }];
    return error.details.map(({ path, message }) => {
      // Walk up the path until a node exists: a missing key is reported at its parent.
      const keys = path === "(root)" ? [] : path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
      for (let n = keys.length; n >= 0; n--) {
        const node = doc.getIn(keys.slice(0, n), true);
        if (isNode(node) && node.range) return { line: lines.linePos(node.range[0]).line, message: `${path}: ${message}` };
      }
      return { message: `${path}: ${message}` };
    });
  }
}
