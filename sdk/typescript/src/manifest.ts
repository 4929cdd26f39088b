import fs from "node:fs";
import path from "node:path";

/**
 * `ledgix.yaml`, the manifest both SDKs read (docs/manifest.md): an ordered `enforce` list;
 * the first rule whose `tool` glob matches a function's name applies to it.
 */
export interface ManifestRule {
  /** Glob on the function name, as Python's fnmatch.fnmatchcase: `*`, `?`, `[seq]`, `[!seq]`. */
  tool: string;
  /** Sent as `context.policy_id`. */
  policy_id?: string;
  /** Sent in the clearance request's `context`. */
  context?: Record<string, unknown>;
}

export interface Manifest {
  enforce: ManifestRule[];
}

export const MANIFEST_NAMES = ["ledgix.yaml", "ledgix.yml", "ledgix.json"] as const;

const RULE_FIELDS = new Set(["tool", "policy_id", "context"]);

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A manifest checked field by field; the error names the source and the field, as the Python SDK's does. */
export function parseManifest(raw: unknown, source = "<inline>"): Manifest {
  const fail = (at: string, problem: string): never => {
    throw new Error(`Invalid manifest ${source} at ${at}: ${problem}`);
  };
  if (!isMapping(raw)) return fail("(top level)", "a manifest is a mapping with an `enforce` list");
  for (const key of Object.keys(raw)) if (key !== "enforce") fail(key, "unknown field (the only one is `enforce`)");
  const entries = "enforce" in raw ? raw.enforce : [];
  if (!Array.isArray(entries)) return fail("enforce", "must be a list of rules");
  const enforce = entries.map((entry: unknown, index): ManifestRule => {
    const at = `enforce[${index}]`;
    if (!isMapping(entry)) return fail(at, "a rule is a mapping with a `tool` glob");
    for (const key of Object.keys(entry)) if (!RULE_FIELDS.has(key)) fail(`${at}.${key}`, "unknown field (tool, policy_id, context)");
    const { tool, policy_id, context } = entry;
    if (typeof tool !== "string" || tool === "") fail(`${at}.tool`, "must be a non-empty string (a glob on the function name)");
    if ("policy_id" in entry && (typeof policy_id !== "string" || policy_id === "")) fail(`${at}.policy_id`, "must be a non-empty string");
    if ("context" in entry && !isMapping(context)) fail(`${at}.context`, "must be a mapping");
    return {
      tool: tool as string,
      ...(policy_id === undefined ? {} : { policy_id: policy_id as string }),
      ...(context === undefined ? {} : { context: context as Record<string, unknown> }),
    };
  });
  return { enforce };
}

type GlobToken = "star" | ((char: string) => boolean);

const anyChar = () => true;
const noChar = () => false;

/**
 * The character set of a `[...]` whose content is `body` (between the brackets), read exactly
 * as Python's fnmatch.translate reads it: after an optional `!`, the first character is literal
 * (so `[]]` and `[-a]` work), `a-z` is a range, a range whose end sorts before its start is
 * dropped, and an empty set never matches (an empty negated one matches any character).
 */
function characterSet(body: string[]): (char: string) => boolean {
  let chunks: string[][];
  if (!body.includes("-")) chunks = [body];
  else {
    chunks = [];
    let start = 0;
    let k = body[0] === "!" ? 2 : 1;
    for (;;) {
      const hyphen = body.indexOf("-", k);
      if (hyphen < 0) break;
      chunks.push(body.slice(start, hyphen));
      start = hyphen + 1;
      k = hyphen + 3;
    }
    const last = body.slice(start);
    if (last.length > 0) chunks.push(last);
    else chunks[chunks.length - 1]!.push("-");
    for (let c = chunks.length - 1; c > 0; c--) {
      const previous = chunks[c - 1]!;
      if (previous[previous.length - 1]! > chunks[c]![0]!) {
        chunks[c - 1] = [...previous.slice(0, -1), ...chunks[c]!.slice(1)];
        chunks.splice(c, 1);
      }
    }
  }
  const flat = chunks.flat();
  if (flat.length === 0 && chunks.length === 1) return noChar;
  if (chunks.length === 1 && flat.length === 1 && flat[0] === "!") return anyChar;
  const negated = chunks[0]![0] === "!";
  if (negated) chunks[0] = chunks[0]!.slice(1);
  // Adjacent chunks are joined by a range from the last character of one to the first of the next.
  const singles = new Set<string>();
  const ranges: [number, number][] = [];
  chunks.forEach((chunk, c) => {
    chunk.forEach((char, position) => {
      const rangeStart = c > 0 && position === 0;
      const rangeEnd = c < chunks.length - 1 && position === chunk.length - 1;
      if (!rangeStart && !rangeEnd) singles.add(char);
    });
    if (c > 0) ranges.push([chunks[c - 1]!.at(-1)!.codePointAt(0)!, chunk[0]!.codePointAt(0)!]);
  });
  const inSet = (char: string) => singles.has(char) || ranges.some(([low, high]) => char.codePointAt(0)! >= low && char.codePointAt(0)! <= high);
  return negated ? (char) => !inSet(char) : inSet;
}

function globTokens(glob: string): GlobToken[] {
  const chars = [...glob];
  const tokens: GlobToken[] = [];
  for (let i = 0; i < chars.length; ) {
    const char = chars[i++]!;
    if (char === "*") {
      if (tokens.at(-1) !== "star") tokens.push("star");
    } else if (char === "?") tokens.push(anyChar);
    else if (char === "[") {
      let j = i;
      if (chars[j] === "!") j++;
      if (chars[j] === "]") j++;
      while (j < chars.length && chars[j] !== "]") j++;
      if (j >= chars.length) tokens.push((c) => c === "[");
      else {
        tokens.push(characterSet(chars.slice(i, j)));
        i = j + 1;
      }
    } else tokens.push((c) => c === char);
  }
  return tokens;
}

/** Whether `name` matches `glob`, exactly as Python's fnmatch.fnmatchcase decides (case-sensitive, no escapes). */
export function globMatches(glob: string, name: string): boolean {
  const tokens = globTokens(glob);
  const chars = [...name];
  // Greedy matching that backtracks to the last star only: linear for the single-character tokens here.
  let t = 0;
  let i = 0;
  let starToken = -1;
  let starChar = 0;
  while (i < chars.length) {
    const token = tokens[t];
    if (token === "star") {
      starToken = t++;
      starChar = i;
    } else if (token !== undefined && token(chars[i]!)) {
      t++;
      i++;
    } else if (starToken >= 0) {
      t = starToken + 1;
      i = ++starChar;
    } else return false;
  }
  while (tokens[t] === "star") t++;
  return t === tokens.length;
}

/** The first rule whose glob matches the function name, or null. */
export function matchRule(manifest: Manifest, functionName: string): ManifestRule | null {
  return manifest.enforce.find((rule) => globMatches(rule.tool, functionName)) ?? null;
}

/** The first of ledgix.yaml, ledgix.yml, ledgix.json in `dir`, or null. */
export function findManifest(dir = process.cwd()): string | null {
  for (const name of MANIFEST_NAMES) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Parses a manifest's text. YAML is read as YAML 1.1, as PyYAML reads it (`on`, `yes`, `off` are
 * booleans), and a repeated key keeps its last value, as in JSON and PyYAML; the `yaml` package is
 * an optional dependency (installed by default), loaded only here so the core stays on jose and zod.
 */
export async function parseManifestText(text: string, format: "yaml" | "json", source = "<inline>"): Promise<Manifest> {
  const raw: unknown = format === "json" ? JSON.parse(text) : ((await import("yaml")).parse(text, { version: "1.1", uniqueKeys: false }) ?? {});
  return parseManifest(raw, source);
}

/** Reads a manifest file: `.json` as JSON, `.yaml` and `.yml` as YAML. */
export async function loadManifest(file: string): Promise<Manifest> {
  const extension = path.extname(file);
  if (![".json", ".yaml", ".yml"].includes(extension)) throw new Error(`Unsupported manifest format ${JSON.stringify(extension)}: use .yaml, .yml or .json`);
  return parseManifestText(fs.readFileSync(file, "utf8"), extension === ".json" ? "json" : "yaml", file);
}
