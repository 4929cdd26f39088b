// Issue 7, finding 6: failed-authentication limits and per-key quotas, held across two
// instances that share one PostgreSQL database; HSTS behind an https public URL; and the
// secrets check: neither server's log holds any key, token or wrong secret this file used.
// Client addresses come from a proxy header, as behind a load balancer, so one test can
// be several clients.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { createPostgresDatabase, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const PER_ADDRESS = 5;
const PER_KEY = 3;
const LIMITS = {
  LEDGIX_AUTH_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
  LEDGIX_AUTH_FAILURES_PER_KEY: String(PER_KEY),
  LEDGIX_AUTH_FAILURE_WINDOW_SECONDS: "120",
  LEDGIX_CLIENT_ADDRESS_HEADER: "x-test-client",
  LEDGIX_PUBLIC_URL: "https://vault.example",
};

let servers: RunningServer[] = [];
let tenant: TestTenant;
/** Every secret this file handled, for the log check at the end. */
const secrets = new Set<string>();

const randomSecret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
const keyWithSecret = (key: string, secret: string) => `${key.slice(0, "lgx_".length + 26 + 1)}${secret}`;

/** Alternates between the two instances: every limit must hold across them. */
let turn = 0;
function call(path: string, key: string, address: string, init: RequestInit = {}) {
  const server = servers[turn++ % servers.length]!;
  return fetch(`${server.url}${path}`, { ...init, headers: { "X-Vault-API-Key": key, "x-test-client": address, ...init.headers } });
}

beforeAll(async () => {
  const url = await createPostgresDatabase();
  const first = await startServer("postgres", { ...LIMITS, DATABASE_URL: url });
  servers = [first, await startServer("postgres", { ...LIMITS, DATABASE_URL: url, LEDGIX_DATA_DIR: first.env.LEDGIX_DATA_DIR! })];
  tenant = await createTenant(first);
  secrets.add(tenant.key);
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe("abuse limits across two instances on one PostgreSQL", () => {
  it("limits failed authentication per client address: 429 with Retry-After, the address's valid key included; other addresses unaffected", async () => {
    for (let i = 0; i < PER_ADDRESS; i++) {
      const wrong = `lgx_${"0".repeat(25)}${i}_${randomSecret()}`;
      secrets.add(wrong);
      expect((await call("/api/ledger", wrong, "198.51.100.7")).status).toBe(401);
    }
    const limited = await call("/api/ledger", `lgx_${"1".repeat(26)}_${randomSecret()}`, "198.51.100.7");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("too_many_failed_attempts");
    expect((await call("/api/ledger", tenant.key, "198.51.100.7")).status).toBe(429);
    expect((await call("/api/ledger", tenant.key, "203.0.113.9")).status).toBe(200);
  });

  it("limits failed attempts per key id across addresses, without locking the key's owner out", async () => {
    const answers: number[] = [];
    for (let i = 0; i <= PER_KEY; i++) {
      const wrong = keyWithSecret(tenant.key, randomSecret());
      secrets.add(wrong);
      answers.push((await call("/api/ledger", wrong, `192.0.2.${i + 1}`)).status);
    }
    expect(answers).toEqual([...Array(PER_KEY).fill(401), 429]);
    expect((await call("/api/ledger", tenant.key, "192.0.2.200")).status).toBe(200);
    const log = servers.map((s) => s.logs()).join("\n");
    expect(log).toMatch(/rate limited limit=auth-key key=key_[0-9a-z]{26}/);
    expect(log).toMatch(/rate limited limit=auth-address key=198\.51\.100\.7/);
  });

  it("applies the tenant's per-key quota on both instances, but never to polls", async () => {
    await cliOk(["tenant", "settings", tenant.name, "--api-key-requests-per-minute", "3"], servers[0]!.env);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await call("/api/clearance", tenant.key, "203.0.113.50", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(refund(45)) });
      statuses.push(last.status);
      if (last.status === 200) {
        const { token, request_id } = (await last.json()) as { token: string; request_id: string };
        secrets.add(token);
        // A poll never answers 429, quota or not.
        expect((await call(`/api/clearance-status/${request_id}`, tenant.key, "203.0.113.50")).status).toBe(200);
        expect(decodeJwt(token).request_id).toBe(request_id);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(((await last!.json()) as { error: { code: string } }).error.code).toBe("quota_exceeded");
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    await cliOk(["tenant", "settings", tenant.name, "--api-key-requests-per-minute", "0"], servers[0]!.env);
  });

  it("sends HSTS when the public URL is https", async () => {
    const res = await fetch(`${servers[0]!.url}/api/health`);
    expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
  });

  it("logs none of the keys, tokens and wrong secrets it handled", () => {
    expect(secrets.size).toBeGreaterThan(PER_ADDRESS + PER_KEY);
    const log = servers.map((s) => s.logs()).join("\n");
    expect(log.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(log).not.toContain(secret);
      // The secret half alone must not appear either (a key id may: it finds a row, it opens nothing).
      if (secret.startsWith("lgx_")) expect(log).not.toContain(secret.slice(-43));
    }
  });
});
