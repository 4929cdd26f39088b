import { ApiError } from "@/lib/api/errors";
import { Prisma, query, type PrismaClient } from "@/lib/db";

// A tenant's log as C2SP tlog-tiles (c2sp.org/tlog-tiles), read straight from what the
// sequencer stores: ledger_nodes holds every complete subtree, so the hash tile at level L is
// the nodes of tree level 8·L, and an entry bundle is its leaves' event hashes. Each tile is
// one index range scan of at most 256 rows, whatever the size of the tree.

const TILE_WIDTH = 256;
const TILE_HEIGHT = 8;
/** Each entry is the 32-byte event hash: its RFC 6962 leaf hash SHA-256(0x00 ‖ entry) is the tree's leaf. */
const ENTRY_BYTES = 32;

export type TileResource =
  | { kind: "checkpoint" }
  /** A hash tile; `width` 256 is a full tile. */
  | { kind: "hashes"; level: number; index: number; width: number }
  | { kind: "entries"; index: number; width: number };

const invalid = (path: string, why: string) => new ApiError("invalid_request", `${JSON.stringify(path)} is not a tile path: ${why}.`);

/** The spec's path encoding of a tile index: 3-digit groups, all but the last prefixed with "x". */
export function encodeTileIndex(index: number): string {
  const groups: string[] = [];
  for (let n = index; groups.length === 0 || n > 0; n = Math.floor(n / 1000)) groups.unshift(String(n % 1000).padStart(3, "0"));
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join("/");
}

const TILE_PATH = /^tile\/(?:(entries)|(\d+))\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/;

/**
 * Parses a path under the tiles prefix: `checkpoint`, `tile/<L>/<N>[.p/<W>]` or
 * `tile/entries/<N>[.p/<W>]`. Anything else is 404; a path of that shape with a level, index
 * or width the spec does not allow (leading zeros, L > 63, W outside 1…255) is 400.
 */
export function parseTilePath(path: string): TileResource {
  if (path === "checkpoint") return { kind: "checkpoint" };
  const match = TILE_PATH.exec(path);
  if (!match) throw new ApiError("not_found", `No tile resource ${JSON.stringify(path.slice(0, 200))}: paths are checkpoint, tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>].`);
  const [, entries, levelText, indexText, widthText] = match;
  const index = Number(indexText!.replace(/x|\//g, ""));
  if (!Number.isSafeInteger(index) || encodeTileIndex(index) !== indexText) throw invalid(path, "the index must be encoded as the spec's shortest x-prefixed 3-digit groups");
  let width = TILE_WIDTH;
  if (widthText !== undefined) {
    width = Number(widthText);
    if (!/^[1-9]\d*$/.test(widthText) || width >= TILE_WIDTH) throw invalid(path, "a partial tile's width is 1 to 255, without leading zeros");
  }
  if (entries) return { kind: "entries", index, width };
  const level = Number(levelText);
  if (!/^(0|[1-9]\d*)$/.test(levelText!) || level > 63) throw invalid(path, "the level is 0 to 63, without leading zeros");
  return { kind: "hashes", level, index, width };
}

const tileNotFound = (what: string) => new ApiError("tile_not_found", `${what} is not in the tree yet.`);

/** A hash tile: `width` consecutive 32-byte hashes of tree level 8·level, from index·256. */
export async function readHashTile(prisma: PrismaClient, tenantId: string, { level, index, width }: { level: number; index: number; width: number }): Promise<Buffer> {
  // Levels past 6 hold nodes of 2^56 leaves and more: no tree gets there.
  const treeLevel = TILE_HEIGHT * level;
  const start = index * TILE_WIDTH;
  if (treeLevel > 52 || !Number.isSafeInteger(start + width)) throw tileNotFound(`Tile ${level}/${encodeTileIndex(index)}`);
  const rows = await query<{ hash: Uint8Array }>(prisma, Prisma.sql`
    SELECT n."hash" FROM "ledger_nodes" n
    WHERE n."tenantId" = ${tenantId} AND n."level" = ${treeLevel} AND n."index" >= ${BigInt(start)} AND n."index" < ${BigInt(start + width)}
    ORDER BY n."index"`);
  if (rows.length < width) throw tileNotFound(`Tile ${level}/${encodeTileIndex(index)}${width < TILE_WIDTH ? `.p/${width}` : ""}`);
  return Buffer.concat(rows.map((row) => row.hash));
}

/** An entry bundle: each leaf's entry (its event hash) after a big-endian uint16 length. */
export async function readEntryBundle(prisma: PrismaClient, tenantId: string, { index, width }: { index: number; width: number }): Promise<Buffer> {
  const start = index * TILE_WIDTH;
  if (!Number.isSafeInteger(start + width)) throw tileNotFound(`Entry bundle ${encodeTileIndex(index)}`);
  const rows = await query<{ eventHash: string }>(prisma, Prisma.sql`
    SELECT e."entry"::jsonb ->> 'event_hash' AS "eventHash" FROM "ledger_events" e
    WHERE e."tenantId" = ${tenantId} AND e."leafIndex" >= ${BigInt(start)} AND e."leafIndex" < ${BigInt(start + width)}
    ORDER BY e."leafIndex"`);
  if (rows.length < width) throw tileNotFound(`Entry bundle ${encodeTileIndex(index)}${width < TILE_WIDTH ? `.p/${width}` : ""}`);
  const length = Buffer.from([0, ENTRY_BYTES]);
  return Buffer.concat(rows.flatMap((row) => [length, Buffer.from(row.eventHash, "hex")]));
}
