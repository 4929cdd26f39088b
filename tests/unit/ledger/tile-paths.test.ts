import { describe, expect, it } from "vitest";
import { encodeTileIndex, parseTilePath } from "@/lib/ledger/tiles";

// Tile paths exactly as c2sp.org/tlog-tiles writes them.

describe("tile paths", () => {
  it.each([
    [0, "000"],
    [7, "007"],
    [999, "999"],
    [1000, "x001/000"],
    [1234067, "x001/x234/067"],
  ])("encodes index %i as %s, and reads it back", (index, encoded) => {
    expect(encodeTileIndex(index)).toBe(encoded);
    expect(parseTilePath(`tile/3/${encoded}`)).toEqual({ kind: "hashes", level: 3, index, width: 256 });
  });

  it("reads the checkpoint, partial tiles and entry bundles", () => {
    expect(parseTilePath("checkpoint")).toEqual({ kind: "checkpoint" });
    expect(parseTilePath("tile/0/x001/234.p/17")).toEqual({ kind: "hashes", level: 0, index: 1234, width: 17 });
    expect(parseTilePath("tile/entries/000.p/255")).toEqual({ kind: "entries", index: 0, width: 255 });
    expect(parseTilePath("tile/63/000")).toMatchObject({ level: 63 });
  });

  it.each([
    ["tile/0/1", 404],
    ["tile/0/0000", 404],
    ["tile/-1/000", 404],
    ["tile/0/000/", 404],
    ["checkpoint/", 404],
    ["tile/00/000", 400],
    ["tile/64/000", 400],
    ["tile/0/x000/001", 400],
    ["tile/0/000.p/0", 400],
    ["tile/0/000.p/007", 400],
    ["tile/0/000.p/256", 400],
    ["tile/entries/x000/000", 400],
  ])("refuses %s with %i", (path, status) => {
    expect(() => parseTilePath(path)).toThrow(expect.objectContaining({ status }));
  });
});
