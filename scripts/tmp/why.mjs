import { build } from "esbuild";
import path from "node:path";
const root = "/work/main";
const r = await build({ entryPoints: { cli: path.join(root, "lib/cli/main.ts") }, outdir: "/tmp/whyout", outExtension: { ".js": ".mjs" }, write: false, metafile: true,
  splitting: true, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", jsx: "automatic", tsconfig: path.join(root, "tsconfig.json"), logLevel: "warning" });
const inputs = r.metafile.inputs;
const targets = process.argv.slice(2);
// BFS over static imports only
const start = "lib/cli/main.ts"; const prev = new Map([[start, null]]); const q = [start];
while (q.length) { const f = q.shift(); for (const imp of inputs[f]?.imports ?? []) { if (imp.kind !== "import-statement") continue; if (!prev.has(imp.path)) { prev.set(imp.path, f); q.push(imp.path); } } }
for (const t of targets) { let cur = t; const chain = []; if (!prev.has(t)) { console.log(t, ": not statically reachable"); continue; } while (cur) { chain.push(cur); cur = prev.get(cur); } console.log(chain.reverse().join("\n  -> ")); console.log(); }
