// lib/<domain>/ folders depend on each other in one direction only: a cycle between two
// folders (clearance ⇄ ledger, api ⇄ auth, …) means neither can be read or changed alone.
// Type-only imports count too. Hand-written: madge and import/no-cycle see file cycles, not folder ones.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const LIB = path.resolve(import.meta.dirname, "../../../lib");
const IMPORT = /(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** lib/clearance/x.ts → "clearance"; lib/env.ts → "env". */
const folderOf = (file: string) => path.relative(LIB, file).split(path.sep)[0]!.replace(/\.tsx?$/, "");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(LIB)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const match of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = match[1] ?? match[2]!;
      const target = spec.startsWith("@/lib/") ? path.join(LIB, spec.slice(6)) : spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : null;
      if (target && target.startsWith(LIB) && folderOf(target) !== from) edges.add(folderOf(target));
    }
  }
  return graph;
}

/** Every cycle's folders, each found once from its first folder in DFS order. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, trail: string[]) => {
    const at = trail.indexOf(node);
    if (at >= 0) return void found.push([...trail.slice(at), node]);
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

describe("lib folders", () => {
  it("import each other without cycles", () => {
    expect(cycles(folderGraph()).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("the check sees a cycle when there is one", () => {
    const graph = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
    expect(cycles(graph)).toEqual([["a", "b", "c", "a"]]);
  });
});
