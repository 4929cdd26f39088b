// @database-kind: both — two servers contending for one advisory lock, over TCP or the embedded server's socket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_LEDGER, verifyLog, waitForTreeSize } from "../fixtures/ledger";
import { startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund } from "../fixtures/tenant";

// Two instances on one database (on the embedded server, the second attaches to the
// server the first started) each run a sequencer every 100 ms. If both ever integrated
// the same tenant at once, leaves would be numbered twice or skipped, or the checkpoint chain
// would fork; verify-log checks the whole log for exactly that.

const REQUESTS = 240;
const CONCURRENCY = 24;

let servers: RunningServer[] = [];

beforeAll(async () => {
  const first = await startServer(undefined, FAST_LEDGER);
  // Same database and data dir (whose development master key decrypts the signing keys).
  servers = [first, await startServer(first.kind, { ...first.env, ...FAST_LEDGER })];
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

describe("two instances on one database", () => {
  it("never let two sequencers integrate a tenant at once", async () => {
    const tenant = await createTenant(servers[0]!);
    const clearance = (i: number) =>
      fetch(`${servers[i % 2]!.url}/api/clearance`, {
        method: "POST",
        headers: { "X-Vault-API-Key": tenant.key, "Content-Type": "application/json" },
        // Approvals and denials alternate; both are decided at once and enter the ledger.
        body: JSON.stringify(refund(i % 3 === 0 ? 5000 + i : 1 + (i % 90))),
      });
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < REQUESTS; i = next++) expect((await clearance(i)).status).toBe(200);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await waitForTreeSize(tenant, REQUESTS);

    const log = await verifyLog(servers[1]!, tenant, "--json");
    expect(log.code, log.stdout + log.stderr).toBe(0);
    const result = JSON.parse(log.stdout);
    expect(result).toMatchObject({ ok: true, entries: REQUESTS, tree_size: REQUESTS });
    const passed = (check: string) => result.checks.find((t: { check: string; status: string }) => t.check === check && t.status === "passed");
    // Leaves 0…n−1 each exactly once, hashing to the latest root; every checkpoint linked to the one before.
    expect(passed("root_coverage")).toMatchObject({ count: 1 });
    expect(passed("checkpoint_chain")).toMatchObject({ count: result.checkpoints, first: "checkpoint 1", last: `checkpoint ${result.checkpoints}` });
    expect(passed("event_hash")).toMatchObject({ count: REQUESTS });
  });
});
