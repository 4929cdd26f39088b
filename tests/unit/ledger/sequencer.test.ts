import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/open";
import { rootHash } from "@/sdk/typescript/src/ledger/merkle";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-seq-"));
fs.chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when tests run as root
vi.stubEnv("LEDGIX_DATA_DIR", dataDir);

let db: Database;
beforeAll(async () => {
  const { openDatabase } = await import("@/lib/db/open");
  db = await openDatabase({ kind: "embedded", dataDir: path.join(dataDir, "db") });
});
afterAll(() => db?.close());

describe("the sequencer on the embedded database", () => {
  it("integrates appended events into a tree whose root matches the naive MTH, and checkpoints it", async () => {
    const { createTenant } = await import("@/lib/tenants/tenants");
    const { integrateTenant } = await import("@/lib/ledger/sequencer");
    const prisma = db.prisma;
    const tenant = await createTenant(prisma, "seq");
    const leafHashes: string[] = [];
    for (let i = 0; i < 37; i++) {
      const leaf = (i * 7919 + 1).toString(16).padStart(64, "0");
      leafHashes.push(leaf);
      await prisma.ledgerEvent.create({ data: { tenantId: tenant.id, requestId: `r${i}`, eventUuid: `u${i}`, entry: "{}", leafHash: leaf } });
    }
    const options = { batchSize: 10, checkpointIntervalMs: 0, mmdSeconds: 30 };
    const sizes: number[] = [];
    for (let r = await integrateTenant(prisma, tenant.id, options); r && r.integrated > 0; r = await integrateTenant(prisma, tenant.id, options)) sizes.push(r.size);
    expect(sizes).toEqual([10, 20, 30, 37]);
    const tree = await prisma.ledgerTree.findUniqueOrThrow({ where: { tenantId: tenant.id } });
    expect(tree.rootHash).toBe(rootHash(leafHashes));
    const checkpoints = await prisma.ledgerCheckpoint.findMany({ where: { tenantId: tenant.id }, orderBy: { checkpointId: "asc" } });
    expect(checkpoints.map((c) => Number(c.treeSize))).toEqual([10, 20, 30, 37]);
    expect(checkpoints[0]!.prevCheckpointHash).toBe("");
    expect(checkpoints[1]!.prevCheckpointHash).toBe(checkpoints[0]!.checkpointHash);
    expect(checkpoints[2]!.rootHash).toBe(rootHash(leafHashes.slice(0, 30)));
    // Nodes: every leaf and every complete subtree, nothing else.
    expect(await prisma.ledgerNode.count({ where: { tenantId: tenant.id } })).toBe(37 + 18 + 9 + 4 + 2 + 1);
  });
});
