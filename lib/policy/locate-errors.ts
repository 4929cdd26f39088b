import YAML, { LineCounter, isMap, isNode } from "yaml";
import { ApiError } from "@/lib/api/errors";
import { parsePolicyDocument } from "./apply-policy";
import { jsonSyntaxProblem, looksLikeJson, yamlSyntaxProblem } from "./source-errors";

export interface PolicyProblem {
  /** 1-based line in the source, when the problem can be placed. */
  line?: number;
  /** 1-based column, for a syntax error. */
  column?: number;
  message: string;
  /** The offending line as written, for a syntax error (the README promises it). */
  excerpt?: string;
}

/** A syntax error as the API reports it: line, column, the parser's words and the line itself. */
function syntaxProblem(source: string): PolicyProblem | null {
  if (looksLikeJson(source)) {
    const json = jsonSyntaxProblem(source);
    if (json) return { ...json, message: `JSON: ${json.message}` };
  }
  try {
    YAML.parse(source, { uniqueKeys: true, maxAliasCount: 100 });
    return null;
  } catch (error) {
    return yamlSyntaxProblem(source, error);
  }
}

/** An unknown key is reported on its own line, not on the line of the map that holds it. */
function unknownKeyNode(node: unknown, message: string) {
  const key = /^Unrecognized keys?: "([^"]+)"/.exec(message)?.[1];
  if (!key || !isMap(node)) return null;
  const pair = node.items.find((item) => isNode(item.key) && String((item.key as { value?: unknown }).value) === key);
  return isNode(pair?.key) ? pair.key : null;
}

/** Validates a policy and places each problem on its source line, for the editor. */
export function checkPolicySource(source: string): PolicyProblem[] {
  try {
    parsePolicyDocument(source);
    return [];
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const syntax = syntaxProblem(source);
    if (syntax) return [syntax];
    const lines = new LineCounter();
    const doc = YAML.parseDocument(source, { lineCounter: lines, uniqueKeys: true });
    if (!error.details) return [{ message: error.message }];
    return error.details.map(({ path, message }) => {
      // Walk up the path until a node exists: a missing key is reported at its parent.
      const keys = path === "(root)" ? [] : path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
      for (let n = keys.length; n >= 0; n--) {
        const found = doc.getIn(keys.slice(0, n), true);
        const node = (n === keys.length && unknownKeyNode(found, message)) || found;
        if (isNode(node) && node.range) return { line: lines.linePos(node.range[0]).line, message: `${path}: ${message}` };
      }
      return { message: `${path}: ${message}` };
    });
  }
}
