// Reading a V8 CPU profile of the built server: Turbopack minifies the chunks, so function
// names say little; each frame is mapped back to its source file through the chunk's
// source map, and a sample is charged to where its stack went (our code, pg, Next.js).
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { SourceMapConsumer } from "source-map-js";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
export interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Calls `visit` with each sample's leaf node id and its ms, for the samples taken within
 * `window` (process.hrtime nanoseconds; profile timestamps are microseconds of that clock).
 */
export function eachSample(profile: CpuProfile, window: [bigint, bigint], visit: (id: number, ms: number) => void): void {
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const ns = BigInt(Math.round(at)) * 1000n;
    if (ns >= window[0] && ns <= window[1]) visit(id, (profile.timeDeltas[i] ?? 0) / 1000);
  });
}

type Section = { offset: { line: number; column: number }; consumer: SourceMapConsumer };

function sectionsOf(file: string): Section[] {
  if (!fs.existsSync(`${file}.map`)) return [];
  const map = JSON.parse(fs.readFileSync(`${file}.map`, "utf8"));
  const sections: { offset: Section["offset"]; map: unknown }[] = map.sections ?? [{ offset: { line: 0, column: 0 }, map }];
  return sections.map(({ offset, map }) => ({ offset, consumer: new SourceMapConsumer(map as never) }));
}

/** "lib/…", "app/…", "sdk/…" for our files; "pg", "next", … for a package; "node" or "(v8)" otherwise. */
function sourceResolver() {
  const maps = new Map<string, Section[]>();
  return ({ url, lineNumber, columnNumber }: ProfileNode["callFrame"]): string => {
    if (!url) return "(v8)";
    if (url.startsWith("node:")) return "node";
    let source = url;
    if (url.includes("/.next/")) {
      const file = url.startsWith("file://") ? fileURLToPath(url) : url;
      if (!maps.has(file)) maps.set(file, sectionsOf(file));
      const section = maps.get(file)!.findLast((s) => s.offset.line <= lineNumber);
      const position = section?.consumer.originalPositionFor({
        line: lineNumber - section.offset.line + 1,
        column: lineNumber === section.offset.line ? columnNumber - section.offset.column : columnNumber,
      });
      source = position?.source ?? url;
    }
    const inPackage = source.split("node_modules/").at(-1)!;
    if (inPackage !== source) return inPackage.split("/").slice(0, inPackage.startsWith("@") ? 2 : 1).join("/");
    return source.replace(/^.*?((lib|app|sdk)\/)/, "$1");
  };
}

const OURS = /^(lib|app|sdk)\//;

/**
 * Where the sampled time went: each sample goes to the first of our code (any frame of
 * ours on its stack), the pg driver, Next.js, or the rest (GC, Node's own work); and the
 * inclusive time of our files.
 */
export function sourceShares(profile: CpuProfile, window: [bigint, bigint]) {
  const resolve = sourceResolver();
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stackSources = new Map<number, Set<string>>();
  const sourcesOf = (id: number): Set<string> => {
    let found = stackSources.get(id);
    if (!found) {
      const parent = parents.get(id);
      found = new Set(parent === undefined ? [] : sourcesOf(parent));
      found.add(resolve(nodes.get(id)!.callFrame));
      stackSources.set(id, found);
    }
    return found;
  };
  const groups = new Map<string, number>();
  const ourFiles = new Map<string, number>();
  let all = 0;
  eachSample(profile, window, (id, ms) => {
    all += ms;
    const sources = [...sourcesOf(id)];
    const group = sources.some((s) => OURS.test(s)) ? "our code (lib/, app/, sdk/)"
      : sources.some((s) => /^pg(-|$)/.test(s)) ? "pg driver"
      : sources.includes("next") ? "Next.js"
      : "other (GC, Node internals, V8)";
    groups.set(group, (groups.get(group) ?? 0) + ms);
    for (const source of sources) if (OURS.test(source)) ourFiles.set(source, (ourFiles.get(source) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return { all, groups: sorted(groups), ourFiles: sorted(ourFiles) };
}
