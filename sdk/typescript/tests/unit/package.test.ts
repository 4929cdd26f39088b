// The built package (npm run build first): both module formats load, and the core entry
// point needs nothing at run time beyond jose, zod and Node's built-ins.
import fs from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const dist = new URL("../../dist/", import.meta.url);
const read = (file: string) => fs.readFileSync(new URL(file, dist), "utf8");
const staticImports = (code: string) => [
  ...[...code.matchAll(/^import .* from "([^"]+)";?$/gm)].map((m) => m[1]!),
  ...[...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!),
];

describe("the built package", () => {
  it.each(["index.js", "index.cjs"])("%s imports only jose, zod and built-ins", (file) => {
    const external = staticImports(read(file)).filter((name) => !builtinModules.includes(name.replace(/^node:/, "")));
    expect(new Set(external)).toEqual(new Set(["jose", "zod"]));
  });

  it.each(["webcrypto.js", "webcrypto.cjs"])("%s (the browser entry) imports nothing, not even node:*", (file) => {
    expect(staticImports(read(file))).toEqual([]);
  });

  it("loads through require() and import() with the same API", async () => {
    const cjs = createRequire(import.meta.url)(new URL("index.cjs", dist).pathname);
    const esm = await import(new URL("index.js", dist).href);
    for (const api of [cjs, esm]) {
      expect(typeof api.LedgixClient).toBe("function");
      expect(typeof api.autoInstrument).toBe("function");
      expect(new api.ClearanceDeniedError("no")).toBeInstanceOf(api.LedgixError);
    }
  });

  it("ships declarations for both formats and an executable gateway bin", () => {
    for (const file of ["index.d.ts", "index.d.cts", "gateway/index.d.ts", "adapters/ai.d.cts"]) expect(fs.existsSync(new URL(file, dist))).toBe(true);
    expect(read("gateway/cli.js").startsWith("#!/usr/bin/env node")).toBe(true);
  });
});
