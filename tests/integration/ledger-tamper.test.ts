import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from "vitest";
import { progressBar } from "@/lib/cli/progress";
import { downloadLedger, verifyWholeLog } from "@/lib/cli/verify-log";
import { verifyBundle, type CheckName } from "@/sdk/typescript/src/ledger/verify";
import { FAST_LEDGER, verifyDownloadedBundle, verifyLog, waitForTreeSize } from "../fixtures/ledger";
import { connectionOf, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

// Someone with write access to the database edits the ledger behind the vault's back. The
// offline verifiers must notice every such edit and name the check it breaks.

let server: RunningServer;
let db: pg.Client;

beforeAll(async () => {
  // A server of its own: edited ledgers must not leak into the other tests.
  server = await startServer(undefined, FAST_LEDGER);
  db = new pg.Client(connectionOf(server));
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await server?.stop();
});

interface Ledger {
  tenant: TestTenant;
  /** Request ids in the order they were decided: leaf i is requests[i]. */
  requests: string[];
  latestCheckpointId: number;
}

/** A tenant with 4 decided requests: leaf 0 alone under checkpoint 1, the others under later ones. */
async function ledgerOfFour(): Promise<Ledger> {
  const tenant = await createTenant(server);
  const requests: string[] = [];
  for (const amounts of [[10], [5000, 20, 30]]) {
    for (const amount of amounts) requests.push((await (await tenant.post("/api/clearance", refund(amount))).json()).request_id);
    await waitForTreeSize(tenant, requests.length);
  }
  return { tenant, requests, latestCheckpointId: (await waitForTreeSize(tenant, 4)).checkpoint_id };
}

const sql = (text: string, values: unknown[]) => db.query(text, values);
const event = `"tenantId" = $1 AND "requestId" = $2`;
const checkpoint = `"tenantId" = $1 AND "checkpointId" = $2`;

interface TamperCase {
  name: string;
  tamper: (ledger: Ledger) => Promise<unknown>;
  /** The check `verify-log` fails, or null when the ledger itself is untouched. */
  logCheck: CheckName | null;
  /** The check `verify` fails on the bundle of leaf 0, or null when the server has no bundle to give. */
  bundleCheck: CheckName | null;
}

const cases: TamperCase[] = [
  {
    name: "an edited entry (its reason)",
    tamper: ({ tenant, requests }) =>
      sql(`UPDATE ledger_events SET entry = replace(entry, '"reason":"', '"reason":"Approved by the CFO. ') WHERE ${event}`, [tenant.id, requests[0]]),
    logCheck: "event_hash",
    bundleCheck: "event_hash",
  },
  {
    name: "a replaced leaf hash (entry and column)",
    tamper: ({ tenant, requests }) =>
      sql(
        `UPDATE ledger_events e SET entry = replace(e.entry, e."leafHash", o."leafHash"), "leafHash" = o."leafHash"
         FROM ledger_events o WHERE e."tenantId" = $1 AND e."requestId" = $2 AND o."tenantId" = $1 AND o."requestId" = $3`,
        [tenant.id, requests[0], requests[1]],
      ),
    logCheck: "leaf_hash",
    bundleCheck: "leaf_hash",
  },
  {
    name: "a checkpoint's root hash",
    tamper: ({ tenant, latestCheckpointId }) =>
      sql(`UPDATE ledger_checkpoints SET "rootHash" = repeat('ab', 32) WHERE ${checkpoint}`, [tenant.id, latestCheckpointId]),
    logCheck: "checkpoint_payload",
    bundleCheck: "checkpoint_payload",
  },
  {
    name: "a checkpoint's signature (taken from another checkpoint)",
    tamper: ({ tenant, latestCheckpointId }) =>
      sql(
        `UPDATE ledger_checkpoints SET signature = (SELECT signature FROM ledger_checkpoints WHERE ${checkpoint.replace("$2", "1")}) WHERE ${checkpoint}`,
        [tenant.id, latestCheckpointId],
      ),
    logCheck: "checkpoint_signature",
    bundleCheck: "checkpoint_signature",
  },
  {
    name: "a checkpoint's link to its predecessor",
    tamper: ({ tenant, latestCheckpointId }) =>
      sql(`UPDATE ledger_checkpoints SET "prevCheckpointHash" = repeat('0', 64) WHERE ${checkpoint}`, [tenant.id, latestCheckpointId]),
    logCheck: "checkpoint_chain",
    // Bundles carry two checkpoints, not the chain: the edit shows as a payload that no longer matches.
    bundleCheck: "checkpoint_payload",
  },
  {
    name: "a deleted entry",
    tamper: ({ tenant, requests }) => sql(`DELETE FROM ledger_events WHERE ${event}`, [tenant.id, requests[0]]),
    logCheck: "root_coverage",
    bundleCheck: null,
  },
  {
    name: "two entries swapped in the tree",
    tamper: async ({ tenant }) => {
      // One at a time: (tenantId, leafIndex) is unique.
      await sql(`UPDATE ledger_events SET "leafIndex" = -1 WHERE "tenantId" = $1 AND "leafIndex" = 0`, [tenant.id]);
      await sql(`UPDATE ledger_events SET "leafIndex" = 0 WHERE "tenantId" = $1 AND "leafIndex" = 1`, [tenant.id]);
      await sql(`UPDATE ledger_events SET "leafIndex" = 1 WHERE "tenantId" = $1 AND "leafIndex" = -1`, [tenant.id]);
    },
    logCheck: "root_coverage",
    bundleCheck: "inclusion_proof",
  },
  {
    name: "a stored tree node (only proofs are built from them)",
    tamper: ({ tenant }) =>
      sql(`UPDATE ledger_nodes SET hash = decode(repeat('cd', 32), 'hex') WHERE "tenantId" = $1 AND level = 0 AND index = 1`, [tenant.id]),
    logCheck: null,
    // Leaf 1 is on the path from checkpoint 1 (leaf 0 alone) to the latest.
    bundleCheck: "consistency_proof",
  },
];

/** The verifiers' own checks, in process: the untouched ledger must pass them before each edit. */
async function expectIntact({ tenant, requests }: Ledger, expect: ExpectStatic) {
  const log = verifyWholeLog(await downloadLedger(`${server.url}/api`, tenant.key, progressBar(false)));
  expect(log.ok, JSON.stringify(log)).toBe(true);
  const bundle = verifyBundle(await (await tenant.call(`/api/ledger/proof/bundle?request_id=${requests[0]}`)).json());
  expect(bundle.ok, JSON.stringify(bundle)).toBe(true);
}

describe("tamper evidence", () => {
  it("an untouched ledger verifies with both commands", async () => {
    const { tenant, requests } = await ledgerOfFour();
    const log = await verifyLog(server, tenant);
    expect(log.code, log.stdout + log.stderr).toBe(0);
    expect(log.stdout).toMatch(/^passed {2}event_hash {12}4× entry seq \d+ … entry seq \d+$/m);
    expect(log.stdout).toMatch(/^passed {2}root_coverage {9}checkpoint \d+$/m);
    expect(log.stdout).toMatch(/^intact: 4 entries, \d+ checkpoints chained from genesis, tree size 4, root [0-9a-f]{64} recomputed over every leaf$/m);
    const bundle = await verifyDownloadedBundle(tenant, requests[0]!);
    expect(bundle.code, bundle.stdout + bundle.stderr).toBe(0);
    expect(bundle.stdout).toMatch(/^passed {2}inclusion_proof {7}inclusion proof$/m);
    expect(bundle.stdout).toMatch(new RegExp(`^intact: request ${requests[0]} \\(entry seq \\d+\\) is leaf 0 of checkpoint 1 \\(tree size 1\\), which checkpoint \\d+ \\(tree size 4\\) extends$`, "m"));
  });

  it.concurrent.for(cases)("verify-log and verify name the check that $name breaks", async ({ tamper, logCheck, bundleCheck }, { expect }) => {
    const ledger = await ledgerOfFour();
    const { tenant, requests } = ledger;
    await expectIntact(ledger, expect);

    await tamper(ledger);

    const log = await verifyLog(server, tenant, "--json");
    const logResult = JSON.parse(log.stdout);
    if (logCheck === null) {
      expect(log.code, log.stdout).toBe(0);
      expect(logResult).toMatchObject({ ok: true, entries: 4, tree_size: 4 });
    } else {
      expect(log.code).toBe(1);
      expect(logResult).toMatchObject({ ok: false, failed: logCheck });
      expect(log.stderr).toContain(`not intact: ${logCheck} failed for ${logResult.subject}`);
    }

    if (bundleCheck === null) {
      expect((await tenant.call(`/api/ledger/proof/bundle?request_id=${requests[0]}`)).status).toBe(404);
    } else {
      const bundle = await verifyDownloadedBundle(tenant, requests[0]!, "--json");
      expect(bundle.code, bundle.stdout).toBe(1);
      expect(JSON.parse(bundle.stdout)).toMatchObject({ ok: false, failed: bundleCheck });
      expect(bundle.stderr).toContain(`not intact: ${bundleCheck} failed`);
    }
  });

  it("names the missing leaf when an entry is deleted", async () => {
    const ledger = await ledgerOfFour();
    await sql(`DELETE FROM ledger_events WHERE ${event}`, [ledger.tenant.id, ledger.requests[2]]);
    const log = await verifyLog(server, ledger.tenant);
    expect(log.code).toBe(1);
    expect(log.stdout).toMatch(/^FAILED {2}root_coverage {9}checkpoint \d+: the whole log was downloaded, yet it has no entry for leaf 2$/m);
    expect(log.stdout).toMatch(/^NOT INTACT: root_coverage failed for checkpoint \d+$/m);
  });
});
