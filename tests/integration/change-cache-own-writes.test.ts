// A change this process commits is in force for its very next read, without waiting for its own
// NOTIFY to come back through the cache's LISTEN connection. CI on a loaded machine saw a policy
// version activated through the API, then the clearance sent right after decided under the old
// version (tests/integration/policy-api.test.ts).
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { cached, startChangeListener, stopChangeListener } from "@/lib/db/change-cache";
import { openDatabase, type Database } from "@/lib/db/open";
import { applyPolicy } from "@/lib/policy/apply-policy";
import { resolvePolicy } from "@/lib/policy/resolve-policy";
import { activateVersion } from "@/lib/policy/versions";
import { createTenant } from "@/lib/tenants/tenants";
import { createPostgresDatabase } from "../fixtures/server";

const HELD_MS = 500;

/** A TCP proxy to PostgreSQL that holds each of the server's replies `HELD_MS`: notifications arrive late, as on a loaded machine. */
function slowProxy(target: URL): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) sockets.add(socket.on("error", () => undefined).on("close", () => sockets.delete(socket)));
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => void setTimeout(() => client.write(chunk), HELD_MS));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => setTimeout(() => client.destroy(), HELD_MS));
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve({
    port: (proxy.address() as net.AddressInfo).port,
    close: () => (sockets.forEach((s) => s.destroy()), proxy.close()),
  })));
}

const policy = (limit: number) => `policy_id: refunds\nrules:\n  - id: small\n    tool: stripe_refund\n    when: args.amount <= ${limit}\n    effect: allow\n`;

describe("the change cache and this process's own changes", () => {
  let db: Database;
  let proxy: { port: number; close(): void };
  let tenantId: string;

  beforeAll(async () => {
    const url = new URL(await createPostgresDatabase());
    db = await openDatabase({ kind: "postgres", url: url.href });
    proxy = await slowProxy(url);
    startChangeListener({ connectionString: url.href.replace(url.host, `127.0.0.1:${proxy.port}`) });
    // Caching starts once the listener is listening: a second load of the same key is then a hit.
    let loads = 0;
    const probe = () => cached("probe", "k", async () => ++loads);
    for (const deadline = Date.now() + 10_000; (await probe()) !== (await probe()); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error("the change listener did not start listening");
    }
    tenantId = (await createTenant(db.prisma, "own-writes")).id;
  });

  afterAll(async () => {
    await stopChangeListener();
    proxy?.close();
    await db?.close();
  });

  const activeVersion = async () => {
    const resolved = await resolvePolicy(db.prisma, tenantId, "refunds");
    return "policy" in resolved ? resolved.policy.versionId : undefined;
  };

  it("decides under a policy version the moment this process uploads or activates it", async () => {
    const first = await applyPolicy(db.prisma, tenantId, policy(100));
    expect(await activeVersion()).toBe(first.versionId);
    expect(await activeVersion()).toBe(first.versionId); // from the cache now

    const second = await applyPolicy(db.prisma, tenantId, policy(10));
    expect(await activeVersion()).toBe(second.versionId);

    await activateVersion(db.prisma, tenantId, first.versionId);
    expect(await activeVersion()).toBe(first.versionId);
  });

  it("refuses a key the moment this process revokes it", async () => {
    const { id, key } = await createApiKey(db.prisma, tenantId, "agent");
    expect(await authenticateApiKey(db.prisma, key)).toMatchObject({ apiKeyId: id, tenant: { id: tenantId } });
    expect(await authenticateApiKey(db.prisma, key)).toMatchObject({ apiKeyId: id }); // from the cache now
    await revokeApiKey(db.prisma, id, "operator:test");
    await expect(authenticateApiKey(db.prisma, key)).rejects.toMatchObject({ code: "api_key_revoked" });
  });
});
