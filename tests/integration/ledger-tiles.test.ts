import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leafHash } from "@/sdk/typescript/src/ledger/hashes";
import { rootHash } from "@/sdk/typescript/src/ledger/merkle";
import { checkpointBody, splitNote } from "@/sdk/typescript/src/ledger/cosignatures";
import { asOperator } from "../fixtures/admin";
import { waitForTreeSize } from "../fixtures/ledger";
import { connectionOf } from "../fixtures/server";
import { createTenant, type TestTenant } from "../fixtures/tenant";

// The ledger as C2SP tlog-tiles: a client that knows only the spec fetches tiles, recomputes
// the root and finds the signed checkpoint's; keys, scopes and public tiles decide who may.

const server = inject("servers")[0]!;
let db: pg.Client;
let tenant: TestTenant;
const SIZE = 300; // a full level-0 tile, a partial one of 44, and a partial level-1 tile of 1

const hexes = (tile: Uint8Array) => Array.from({ length: tile.length / 32 }, (_, i) => Buffer.from(tile.subarray(32 * i, 32 * i + 32)).toString("hex"));
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

/** Entries of a bundle: big-endian uint16 length, then the entry. */
function entriesOf(bundle: Uint8Array): Uint8Array[] {
  const entries: Uint8Array[] = [];
  for (let at = 0; at < bundle.length; ) {
    const length = (bundle[at]! << 8) | bundle[at + 1]!;
    entries.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}

beforeAll(async () => {
  db = new pg.Client(connectionOf(server));
  await db.connect();
  tenant = await createTenant(server);
  // 300 decisions through the API would take most of this file's time; tiles read only what the
  // sequencer stores, so events are appended as the decision statement appends them.
  await db.query(
    `INSERT INTO "ledger_events" ("tenantId", "requestId", "eventUuid", "entry", "leafHash")
     SELECT $1, 'req_tile_' || i, gen_random_uuid()::text, json_build_object('event_hash', encode(h, 'hex'))::text, encode(sha256('\\x00'::bytea || h), 'hex')
     FROM (SELECT i, sha256(int8send(i)) AS h FROM generate_series(1, ${SIZE}) i) t`,
    [tenant.id],
  );
  await waitForTreeSize(tenant, SIZE);
});

afterAll(async () => {
  await db?.end();
});

describe("GET /api/ledger/tiles/… (C2SP tlog-tiles)", () => {
  it("serves tiles from which a client recomputes the signed checkpoint's root, and bundles whose entries hash to the leaves", async () => {
    const checkpoint = await tenant.call("/api/ledger/tiles/checkpoint");
    expect(checkpoint.status).toBe(200);
    expect(checkpoint.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(checkpoint.headers.get("cache-control")).toBe("no-cache");
    const note = await checkpoint.text();
    expect(note).toBe(await (await tenant.call("/api/ledger/checkpoint")).text());
    const body = checkpointBody(splitNote(note).body);
    expect(body).toMatchObject({ origin: `ledgix.local/${tenant.id}`, treeSize: SIZE });

    const full = await tenant.call("/api/ledger/tiles/tile/0/000");
    expect(full.status).toBe(200);
    expect(full.headers.get("content-type")).toBe("application/octet-stream");
    expect(full.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const partial = await tenant.call("/api/ledger/tiles/tile/0/001.p/44");
    const level1 = await tenant.call("/api/ledger/tiles/tile/1/000.p/1");
    expect([partial.status, level1.status]).toEqual([200, 200]);
    const leaves = [...hexes(await bytesOf(full)), ...hexes(await bytesOf(partial))];
    expect(leaves).toHaveLength(SIZE);
    expect(rootHash(leaves)).toBe(body.rootHash);
    // A level-1 hash is the root of a full level-0 tile.
    expect(hexes(await bytesOf(level1))).toEqual([rootHash(leaves.slice(0, 256))]);

    const bundles = [await tenant.call("/api/ledger/tiles/tile/entries/000"), await tenant.call("/api/ledger/tiles/tile/entries/001.p/44")];
    const entries = (await Promise.all(bundles.map(bytesOf))).flatMap(entriesOf);
    expect(entries.every((entry) => entry.length === 32)).toBe(true);
    expect(entries.map((entry) => leafHash(Buffer.from(entry).toString("hex")))).toEqual(leaves);

    // The same log under its tenant id, with the key.
    const named = await tenant.call(`/api/ledger/tiles/${tenant.id}/tile/0/001.p/44`);
    expect(hexes(await bytesOf(named))).toEqual(leaves.slice(256));
  });

  it.each([
    { name: "an index not in 3-digit groups", path: "tile/0/1", status: 404, code: "not_found" },
    { name: "an unknown resource", path: "tiles/0/000", status: 404, code: "not_found" },
    { name: "a width with trailing junk", path: "tile/0/000.p/7x", status: 404, code: "not_found" },
    { name: "a level with a leading zero", path: "tile/00/000", status: 400, code: "invalid_request" },
    { name: "a level above 63", path: "tile/64/000", status: 400, code: "invalid_request" },
    { name: "a needless x group", path: "tile/0/x000/001", status: 400, code: "invalid_request" },
    { name: "a partial width of 0", path: "tile/0/000.p/0", status: 400, code: "invalid_request" },
    { name: "a partial width of 256", path: "tile/0/000.p/256", status: 400, code: "invalid_request" },
    { name: "a full tile the tree does not fill yet", path: "tile/0/001", status: 404, code: "tile_not_found" },
    { name: "a partial tile wider than the tree", path: "tile/0/001.p/45", status: 404, code: "tile_not_found" },
    { name: "an entry bundle past the end", path: "tile/entries/002", status: 404, code: "tile_not_found" },
    { name: "another tenant's log", path: "ten_00000000000000000000000000/checkpoint", status: 404, code: "not_found" },
  ])("answers $status $code for $name", async ({ path, status, code }) => {
    const res = await tenant.call(`/api/ledger/tiles/${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await res.json()).error.code).toBe(code);
  });

  it("needs the ledger scope, and serves only the checkpoint and hash tiles without a key once they are public", async () => {
    const clearanceOnly = await createTenant(server, null, ["clearance"]);
    const refused = await clearanceOnly.call("/api/ledger/tiles/checkpoint");
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("insufficient_scope");
    expect((await tenant.call("/api/ledger/tiles/checkpoint", { method: "POST" })).status).toBe(405);

    const anonymous = (path: string) => fetch(`${server.url}/api/ledger/tiles/${path}`);
    for (const path of ["checkpoint", `${tenant.id}/checkpoint`, `${tenant.id}/tile/0/000`, "ten_00000000000000000000000000/checkpoint"]) {
      const res = await anonymous(path);
      expect(res.status, path).toBe(401);
      expect((await res.json()).error.code, path).toBe("missing_api_key");
    }

    await asOperator(server, (run) => run("tenant.update", { tenant: tenant.name, ledgerPublicTiles: "on" }));
    const note = await anonymous(`${tenant.id}/checkpoint`);
    expect(note.status).toBe(200);
    expect(await note.text()).toBe(await (await tenant.call("/api/ledger/tiles/checkpoint")).text());
    const tile = await anonymous(`${tenant.id}/tile/0/000`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await tile.arrayBuffer())).toEqual(Buffer.from(await (await tenant.call("/api/ledger/tiles/tile/0/000")).arrayBuffer()));
    // Entry bundles never: with the arguments guessed, an event hash confirms a decision.
    const bundle = await anonymous(`${tenant.id}/tile/entries/000`);
    expect(bundle.status).toBe(401);
    expect((await bundle.json()).error.code).toBe("missing_api_key");
    expect((await anonymous("checkpoint")).status).toBe(401);

    await asOperator(server, (run) => run("tenant.update", { tenant: tenant.name, ledgerPublicTiles: "off" }));
    expect((await anonymous(`${tenant.id}/tile/0/000`)).status).toBe(401);
  });
});
