import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { nodeHash } from "@/sdk/typescript/src/ledger/hashes";
import { splitNote } from "@/sdk/typescript/src/ledger/cosignatures";
import { asOperator } from "../fixtures/admin";
import { startLitewitness, tlogClient, type Witness } from "../fixtures/go-tools";
import { verifyDownloadedBundle, verifyLog, waitForTreeSize } from "../fixtures/ledger";
import { connectionOf } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";
import { strangerKey } from "../fixtures/witness-key";

// Software we did not write checks the ledger: litewitness (filippo.io/torchwood) cosigns its
// checkpoints over C2SP tlog-witness and refuses a rewritten history; torchwood's tile client
// verifies a checkpoint against a witness policy and proves an entry's inclusion from tiles.

const server = inject("servers")[0]!;
let db: pg.Client;
let witness: Witness;
let tenant: TestTenant;
let client: string;
const requests: string[] = [];

type WitnessRow = { id: string; state: string; cosignedSize: number | null; lastError: string | null };
const witnesses = () => asOperator(server, (run) => run("witness.list", { tenant: tenant.name })) as Promise<WitnessRow[]>;

async function waitForWitness(until: (w: WitnessRow) => boolean): Promise<WitnessRow> {
  let last: WitnessRow | undefined;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    [last] = await witnesses();
    if (last && until(last)) return last;
  }
  throw new Error(`the witness never got there: ${JSON.stringify(last)}`);
}

async function decide(amount: number): Promise<void> {
  requests.push((await (await tenant.post("/api/clearance", refund(amount))).json()).request_id);
  await waitForTreeSize(tenant, requests.length);
}

beforeAll(async () => {
  // Built once into ~/.cache/ledgix/go-bin (about 40 s each the first time), then reused.
  [witness, client] = await Promise.all([startLitewitness(), tlogClient()]);
  db = new pg.Client(connectionOf(server));
  await db.connect();
  tenant = await createTenant(server);
  for (const amount of [10, 20]) await decide(amount);
  // The witness's operator adds our log with the origin and verifier key we publish.
  const logKey = (await (await tenant.call("/api/ledger/checkpoint/verifier-key")).text()).trim();
  await witness.ctl("add-log", "-origin", `ledgix.local/${tenant.id}`);
  await witness.ctl("add-key", "-origin", `ledgix.local/${tenant.id}`, "-key", logKey);
}, 900_000);

afterAll(async () => {
  await db?.end();
  await witness?.stop();
});

describe("witnesses and tiles, checked by third-party software", () => {
  it("gets the checkpoints cosigned by litewitness, and verify-log then demands its cosignature", async () => {
    await asOperator(server, (run) => run("witness.add", { tenant: tenant.name, url: witness.url, verifierKey: witness.vkey }));
    expect(await waitForWitness((w) => w.cosignedSize === 2)).toMatchObject({ state: "cosigning", lastError: null });
    // The next checkpoint goes with a consistency proof from the size the witness holds.
    await decide(30);
    await waitForWitness((w) => w.cosignedSize === 3);
    expect(JSON.parse(await witness.ctl("list-logs"))).toMatchObject({ origin: `ledgix.local/${tenant.id}`, size: 3 });

    const note = await (await tenant.call("/api/ledger/checkpoint")).text();
    expect(splitNote(note).signatures.map((s) => s.name)).toEqual([`ledgix.local/${tenant.id}`, witness.name]);
    expect(await (await tenant.call("/api/ledger/tiles/checkpoint")).text()).toBe(note);

    const passed = await verifyLog(server, tenant, "--witness", witness.vkey, "--min-witnesses", "1", "--origin", `ledgix.local/${tenant.id}`);
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/passed\s+witness_cosignatures/);
    const unwitnessed = await verifyLog(server, tenant, "--min-witnesses", "1");
    expect(unwitnessed.code).toBe(1);
    expect(unwitnessed.stdout).toMatch(/FAILED\s+witness_cosignatures.*0 valid cosignature\(s\) by the 0 given witness\(es\); 1 required/);
    // The auditor pins the log the witness vouches for: a note of another origin proves nothing about this one.
    const otherLog = await verifyLog(server, tenant, "--witness", witness.vkey, "--origin", "ledgix.local/ten_other");
    expect(otherLog.code).toBe(1);
    expect(otherLog.stdout).toMatch(/FAILED\s+checkpoint_note.*of origin ledgix\.local\/ten_\w+, not ledgix\.local\/ten_other/);
    // Another witness's key: the cosignature present is not one by a witness the auditor trusts.
    const wrongWitness = await verifyLog(server, tenant, "--witness", strangerKey("witness.ledgix.test/other"));
    expect(wrongWitness.code).toBe(1);
    expect(wrongWitness.stdout).toMatch(/FAILED\s+witness_cosignatures/);

    // A decision's bundle carries the cosigned note of its newest checkpoint.
    const bundle = await verifyDownloadedBundle(tenant, requests[0]!, "--witness", witness.vkey, "--min-witnesses", "1");
    expect(bundle.code, bundle.stdout).toBe(0);
    expect(bundle.stdout).toMatch(/passed\s+witness_cosignatures/);
  });

  it("lets torchwood's tile client verify the cosigned checkpoint and an entry's inclusion from the tiles", async () => {
    const logKey = (await (await tenant.call("/api/ledger/checkpoint/verifier-key")).text()).trim();
    const policy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-policy-")), "policy.txt");
    fs.writeFileSync(policy, `log ${logKey}\nwitness w1 ${witness.vkey}\nquorum w1\n`);
    const prove = (index: number, policyFile = policy) => promisify(execFile)(client, ["-url", `${server.url}/api/ledger/tiles/`, "-policy", policyFile, "-index", String(index)], {
      env: { ...process.env, LEDGIX_VAULT_API_KEY: tenant.key },
    });
    const { entries } = (await (await tenant.call("/api/ledger")).json()) as { entries: { leaf_index: number; event_hash: string }[] };
    const proven = JSON.parse((await prove(1)).stdout);
    expect(proven).toMatchObject({ origin: `ledgix.local/${tenant.id}`, size: 3, index: 1, entry: entries.find((e) => e.leaf_index === 1)!.event_hash });

    // The same client refuses a checkpoint its policy's witness did not cosign.
    const strict = `${policy}.strict`;
    fs.writeFileSync(strict, `log ${logKey}\nwitness w1 ${witness.vkey}\nwitness w2 ${strangerKey("witness.ledgix.test/other")}\ngroup both all w1 w2\nquorum both\n`);
    await expect(prove(1, strict)).rejects.toThrow();
  });

  it("has a rewritten history refused by the witness, shows the refusal, and keeps serving the last cosigned checkpoint", async () => {
    await asOperator(server, (run) => run("tenant.update", { tenant: tenant.name, witnessQuorum: "1" }));
    // Someone with database access rewrites leaf 0 and every stored node above it, as a vault
    // showing a different history would; the next checkpoint then extends the forged tree.
    const forged = "ab".repeat(32);
    await db.query(`UPDATE "ledger_nodes" SET "hash" = decode($2, 'hex') WHERE "tenantId" = $1 AND "level" = 0 AND "index" = 0`, [tenant.id, forged]);
    for (let level = 1; ; level++) {
      const { rows } = await db.query<{ index: string; hash: Buffer }>(
        `SELECT "index", "hash" FROM "ledger_nodes" WHERE "tenantId" = $1 AND "level" = $2 AND "index" IN (0, 1) ORDER BY "index"`, [tenant.id, level - 1]);
      if (rows.length < 2) break;
      const parent = nodeHash(rows[0]!.hash.toString("hex"), rows[1]!.hash.toString("hex"));
      const { rowCount } = await db.query(`UPDATE "ledger_nodes" SET "hash" = decode($3, 'hex') WHERE "tenantId" = $1 AND "level" = $2 AND "index" = 0`, [tenant.id, level, parent]);
      if (rowCount === 0) break;
    }
    await decide(40);

    const refused = await waitForWitness((w) => w.state === "failing");
    expect(refused.cosignedSize).toBe(3);
    expect(refused.lastError).toMatch(/^HTTP 422: /);
    expect(JSON.parse(await witness.ctl("list-logs"))).toMatchObject({ size: 3 });
    // With a quorum of one, the checkpoint endpoints keep serving the last cosigned checkpoint.
    const served = splitNote(await (await tenant.call("/api/ledger/tiles/checkpoint")).text());
    expect(served.body.split("\n")[1]).toBe("3");
    expect(served.signatures.map((s) => s.name)).toContain(witness.name);
  });
});
