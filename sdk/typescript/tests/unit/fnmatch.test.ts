import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fnmatch } from "../../src/fnmatch";

const here = path.dirname(new URL(import.meta.url).pathname);
const { cases } = JSON.parse(fs.readFileSync(path.join(here, "../fixtures/fnmatch-cases.json"), "utf8")) as {
  cases: { glob: string; name: string; match: boolean }[];
};

describe("tool globs match as Python's fnmatch.fnmatchcase does", () => {
  it("has CPython's answers for hand-picked and random globs", () => expect(cases.length).toBeGreaterThan(400));
  it.each(cases)("$glob against $name → $match", ({ glob, name, match }) => expect(fnmatch(name, glob)).toBe(match));
});
