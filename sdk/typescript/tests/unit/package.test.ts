// The built package (npm run build first): both module formats load, and the core entry
// point needs nothing at run time beyond jose, zod and Node's built-ins. Then the install the
// README documents: `npm run pack`, `npm install <tarball>` in another project, `npx ledgix-gateway`.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { builtinModules, createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

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

describe("installed from the packed tarball, as the README says", () => {
  const sdk = new URL("../../", import.meta.url).pathname;
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-agent-"));
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  it("npm run pack, npm install <tarball>, import @ledgix/sdk, npx ledgix-gateway --help", { timeout: 240_000 }, async () => {
    const readme = fs.readFileSync(path.join(sdk, "README.md"), "utf8");
    expect(readme).toContain("npm run pack");
    expect(readme).toContain("npx ledgix-gateway --help");
    // The script prints the tarball's path last; it is written to the project, not the checkout.
    const packed = await run("npm", ["run", "--silent", "pack", "--", project], { cwd: sdk });
    const tarball = packed.stdout.trim().split("\n").at(-1)!;
    expect(tarball).toBe(path.join(fs.realpathSync(project), "ledgix-sdk-0.1.0.tgz"));

    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "agent", private: true, type: "module" }));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: project });
    const imported = await run(
      "node",
      ["--input-type=module", "-e", "const m = await import('@ledgix/sdk'); const c = (await import('node:module')).createRequire(import.meta.url)('@ledgix/sdk'); console.log(typeof m.autoInstrument, typeof c.LedgixClient);"],
      { cwd: project },
    );
    expect(imported.stdout.trim()).toBe("function function");
    const help = await run("npx", ["--no-install", "ledgix-gateway", "--help"], { cwd: project });
    expect(help.stdout + help.stderr).toMatch(/^Usage: ledgix-gateway --config/m);
  });
});
