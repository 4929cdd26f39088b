import YAML from "yaml";

/** Where a policy's text fails to parse, and the line it fails on. */
export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
  excerpt: string;
}

const lineAt = (source: string, line: number) => (source.split(/\r?\n/)[line - 1] ?? "").slice(0, 300);

export function describeSyntaxProblem(problem: SyntaxProblem): string {
  return `line ${problem.line}, column ${problem.column}: ${problem.message} — the line reads: ${JSON.stringify(problem.excerpt)}`;
}

/** A document that starts with `{` is a JSON file and gets JSON's diagnosis, not YAML's. */
export const looksLikeJson = (source: string) => source.trimStart().startsWith("{");

/** JSON.parse's problem with `source`, or null if it parses. */
export function jsonSyntaxProblem(source: string): SyntaxProblem | null {
  try {
    JSON.parse(source);
    return null;
  } catch (error) {
    const message = (error as Error).message;
    // V8 names a character offset ("at position 12"); past the end means the text stopped early.
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? source.length);
    const before = source.slice(0, position).split(/\r?\n/);
    const line = before.length;
    return {
      line,
      column: before.at(-1)!.length + 1,
      message: message.replace(/ in JSON at position \d+.*$/s, "").replace(/^JSON\.parse: /, ""),
      excerpt: lineAt(source, line),
    };
  }
}

/** The YAML parser's problem, with the whole offending line (its own excerpt is cut short). */
export function yamlSyntaxProblem(source: string, error: unknown): SyntaxProblem | null {
  if (!(error instanceof YAML.YAMLError)) return null;
  const { line, col } = error.linePos?.[0] ?? { line: 1, col: 1 };
  const message = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  return { line, column: col, message, excerpt: lineAt(source, line) };
}
