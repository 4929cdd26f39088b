// @database-kind: both — the cache's LISTEN connection and its loss.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { connectionOf, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

// Each instance caches API-key authentication for a few seconds (lib/db/change-cache.ts),
// trusting the cache only while it LISTENs for the trigger's NOTIFY. A revocation made
// anywhere must refuse the very next request on every instance.

let servers: RunningServer[] = [];

beforeAll(async () => {
  const first = await startServer();
  // Same database and data dir (whose development master key decrypts the signing keys).
  servers = [first, await startServer(first.kind, first.env)];
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

const keyIdOf = (tenant: TestTenant) => `key_${tenant.key.split("_")[1]}`;

const clearanceOn = (server: RunningServer, tenant: TestTenant) =>
  fetch(`${server.url}/api/clearance`, {
    method: "POST",
    headers: { "X-Vault-API-Key": tenant.key, "Content-Type": "application/json" },
    body: JSON.stringify(refund(45)),
  });

/** Authenticates the key on both instances, twice: the second is served from the cache. */
async function warm(tenant: TestTenant) {
  for (const server of [...servers, ...servers]) expect((await clearanceOn(server, tenant)).status).toBe(200);
}

async function expectRevokedOnSecond(tenant: TestTenant) {
  await cliOk(["key", "revoke", keyIdOf(tenant)], servers[0]!.env);
  const response = await clearanceOn(servers[1]!, tenant);
  expect(response.status).toBe(401);
  expect((await response.json()).error.code).toBe("api_key_revoked");
}

/** The backend pids LISTENing for key changes (one per instance). */
async function listeners(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ledgix_cached_changes'`);
  return rows.map((row) => row.pid);
}

describe("cached API-key authentication on two instances", () => {
  it("refuses a key revoked on one instance at once on the other", async () => {
    const tenant = await createTenant(servers[0]!);
    await warm(tenant);
    await expectRevokedOnSecond(tenant);
  });

  it("refuses a key whose scopes no longer allow the call", async () => {
    const tenant = await createTenant(servers[0]!);
    await warm(tenant);
    const client = new pg.Client(connectionOf(servers[0]!));
    await client.connect();
    try {
      await client.query(`UPDATE "api_keys" SET "scopes" = ARRAY['ledger'] WHERE "id" = $1`, [keyIdOf(tenant)]);
    } finally {
      await client.end();
    }
    const response = await clearanceOn(servers[1]!, tenant);
    expect(response.status).toBe(403);
  });

  it("forgets everything when its LISTEN connection is lost, and listens again", async () => {
    const tenant = await createTenant(servers[0]!);
    await warm(tenant);
    const client = new pg.Client(connectionOf(servers[0]!));
    await client.connect();
    try {
      const before = await listeners(client);
      expect(before).toHaveLength(2);
      await client.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [before]);
      // Both instances reconnect on their own (generous deadline: the machine may be loaded).
      const deadline = Date.now() + 60_000;
      let after: number[] = [];
      while (Date.now() < deadline) {
        after = await listeners(client);
        if (after.length === 2 && after.every((pid) => !before.includes(pid))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(after.filter((pid) => !before.includes(pid))).toHaveLength(2);
    } finally {
      await client.end();
    }
    await expectRevokedOnSecond(tenant);
  });
});
