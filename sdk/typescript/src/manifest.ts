import fs from "node:fs";
import path from "node:path";
import { fnmatch } from "./fnmatch";

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

/** Whether `name` matches `glob`, exactly as Python's fnmatch.fnmatchcase decides (case-sensitive, no escapes). */
export const globMatches = (glob: string, name: string): boolean => fnmatch(name, glob);

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
