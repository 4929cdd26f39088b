import { afterAll, expect, it, vi } from "vitest";

// env() is parsed once per process: each case below is a fresh module graph.
afterAll(() => vi.unstubAllEnvs());

async function linesAt(level: string | undefined) {
  vi.resetModules();
  vi.stubEnv("LEDGIX_LOG_LEVEL", level);
  const { log } = await import("@/lib/log");
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
  vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
  try {
    log.debug("d");
    log.info("i", { status: 200 });
    log.warn("w");
    log.error("e", { error: "two\nlines" });
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

it.each([
  { level: undefined, expected: ["ledgix info i status=200", "ledgix warn w", 'ledgix error e error="two\\nlines"'] },
  { level: "debug", expected: ["ledgix debug d", "ledgix info i status=200", "ledgix warn w", 'ledgix error e error="two\\nlines"'] },
  { level: "warn", expected: ["ledgix warn w", 'ledgix error e error="two\\nlines"'] },
  { level: "silent", expected: [] },
])("LEDGIX_LOG_LEVEL=$level writes $expected.length lines, each on one line", async ({ level, expected }) => {
  expect(await linesAt(level)).toEqual(expected);
});

it("refuses an unknown level, naming the variable", async () => {
  await expect(linesAt("verbose")).rejects.toThrow(/LEDGIX_LOG_LEVEL/);
});
