// The YAML samples of README.md parse through the schema they document: the gateway's config,
// and the manifest. The TypeScript samples run against the real server, in
// tests/integration/readme.test.ts.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../../src/gateway/config";
import { parseManifest } from "../../src/manifest";

const here = path.dirname(new URL(import.meta.url).pathname);
const readme = fs.readFileSync(path.join(here, "../../README.md"), "utf8");
const blocks = (lang: string) => [...readme.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

describe("README YAML samples", () => {
  it.each(blocks("yaml").map((text, i) => ({ i, text })))("block $i parses with its schema", ({ text }) => {
    const raw = parse(text);
    if ("vault_url" in raw) expect(parseGatewayConfig(raw).vault_url).toMatch(/^http/);
    else expect(parseManifest(raw).enforce.length).toBeGreaterThan(0);
  });
});
