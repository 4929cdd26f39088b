// The shared manifest vectors (sdk/manifest-vectors.json), run by the Python SDK's tests too, and
// the shared ledgix.yaml (sdk/fixtures/shared-manifest) that both SDKs must read alike.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LedgixClient } from "../../src/client";
import { autoInstrument } from "../../src/instrument";
import { findManifest, globMatches, loadManifest, matchRule, parseManifest, type Manifest } from "../../src/manifest";

const sdkDir = new URL("../../../", import.meta.url);
const read = (file: string) => JSON.parse(fs.readFileSync(new URL(file, sdkDir), "utf8"));

interface Source {
  desc: string;
  manifest?: unknown;
  yaml?: string;
}
const vectors: {
  globs: { desc: string; glob: string; name: string; want: boolean }[];
  manifests: (Source & { want: Record<string, number | null> })[];
  invalid: (Source & { want_err: string })[];
} = read("manifest-vectors.json");

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-manifest-vectors-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// A YAML vector is read from a file, as an agent's ledgix.yaml is; a JSON value as an inline manifest.
let files = 0;
async function load(vector: Source): Promise<Manifest> {
  if (vector.yaml === undefined) return parseManifest(vector.manifest);
  const file = path.join(scratch, `${files++}`, "ledgix.yaml");
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, vector.yaml);
  return loadManifest(file);
}

describe("manifest vectors", () => {
  it.each(vectors.globs)("glob $glob against $name: $want ($desc)", ({ glob, name, want }) => {
    expect(globMatches(glob, name)).toBe(want);
  });

  it.each(vectors.manifests)("$desc", async (vector) => {
    const manifest = await load(vector);
    const matched = Object.fromEntries(Object.keys(vector.want).map((name) => [name, matchRule(manifest, name)]));
    const want = Object.fromEntries(Object.entries(vector.want).map(([name, index]) => [name, index === null ? null : manifest.enforce[index]]));
    expect(matched).toEqual(want);
  });

  it.each(vectors.invalid)("refused: $desc", async (vector) => {
    await expect(load(vector)).rejects.toThrow(` at ${vector.want_err}: `);
  });
});

describe("the shared ledgix.yaml", () => {
  const fixture = new URL("fixtures/shared-manifest/", sdkDir);
  const { functions }: { functions: Record<string, string | null> } = read("fixtures/shared-manifest/expected.json");

  it("instruments the same functions, under the same policies, as the Python SDK", async () => {
    const toolbox = Object.fromEntries(Object.keys(functions).map((name) => [name, () => name]));
    const file = findManifest(fixture.pathname);
    expect(file).toBe(path.join(fixture.pathname, "ledgix.yaml"));
    const instrumented = await autoInstrument(toolbox, { manifest: file!, client: new LedgixClient() });
    const manifest = await loadManifest(file!);
    const got = Object.fromEntries(
      Object.keys(functions).map((name) => [name, instrumented[name] === toolbox[name] ? null : (matchRule(manifest, name)?.policy_id ?? null)]),
    );
    expect(got).toEqual(functions);
  });
});
