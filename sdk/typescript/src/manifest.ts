import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/** `ledgix.yaml`: which functions of an object are tools, and under which name and policy. */
export const manifestSchema = z.object({
  tools: z
    .array(
      z.object({
        match: z.string().min(1).describe("Glob on the function name: * any run, ? one character"),
        tool: z.string().min(1).optional().describe("Tool name sent to the vault; default the function name"),
        policy: z.string().min(1).optional().describe("Sent as context.policy_id"),
      }),
    )
    .default([]),
});

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestRule = Manifest["tools"][number];

export const MANIFEST_NAMES = ["ledgix.yaml", "ledgix.yml", "ledgix.json"] as const;

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);

/** The first rule whose glob matches the function name, or null. */
export function matchRule(manifest: Manifest, functionName: string): ManifestRule | null {
  return manifest.tools.find((rule) => globToRegExp(rule.match).test(functionName)) ?? null;
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
 * Reads a manifest. YAML needs the `yaml` package (an optional dependency, installed by
 * default) and is loaded only here, so the SDK's core stays on jose and zod alone.
 */
export async function loadManifest(file: string): Promise<Manifest> {
  const text = fs.readFileSync(file, "utf8");
  const raw: unknown = file.endsWith(".json") ? JSON.parse(text) : (await import("yaml")).parse(text);
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid manifest ${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
