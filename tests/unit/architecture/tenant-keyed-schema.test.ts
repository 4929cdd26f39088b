// The sharding claim of README "Running at scale": every row belongs to one tenant, so tenants
// can be split across databases. A table is tenant-keyed (a required tenantId), the child of
// one through a required relation, or on the short list of instance-wide tables below.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SCHEMA = fs.readFileSync(path.resolve(import.meta.dirname, "../../../prisma/schema.prisma"), "utf8");

/** Instance-wide tables, each copied to (or shared by) every shard, and why. */
const INSTANCE_WIDE: Record<string, string> = {
  Tenant: "the shard key itself: the directory of which tenant lives where",
  SigningKey: "the instance's token and ledger keys, published in one JWKS",
  User: "a person may belong to tenants on different shards",
  Account: "a person's OAuth links, with the person",
  Session: "a person's sign-in sessions, with the person",
  PushSubscription: "a person's devices for Web Push, across all their tenants, with the person",
  PushVapidKey: "the instance's VAPID key pair, the one identity push services see, like SigningKey",
  VerificationToken: "sign-in links, before anyone is known",
  RateLimit: "counters per IP address and account, not per tenant",
  InstanceAuditEvent: "security events before any tenant is known (sign-ins, unknown API keys, addresses over a limit)",
  AuditSinkCursor: "the instance's SIEM sinks, configured by its environment; each shard ships its own stream",
};

const models = [...SCHEMA.matchAll(/^model (\w+) \{\n([\s\S]*?)^\}/gm)].map(([, name, body]) => ({ name: name!, body: body! }));
const hasTenantId = (body: string) => /^\s+tenantId\s+String\s/m.test(body);
/** Models this one points at through a required relation field (`parent Parent @relation(...)`). */
const parents = (body: string) => [...body.matchAll(/^\s+\w+\s+(\w+)\s+@relation\(/gm)].map((m) => m[1]!);

describe("the schema shards by tenant", () => {
  it("parses the schema", () => {
    expect(models.length).toBeGreaterThan(20);
    expect(models.map((m) => m.name)).toContain("ClearanceRequest");
  });

  it("keys every table by tenant, directly or through its parent, but the instance-wide ones", () => {
    const keyed = new Set(models.filter((m) => hasTenantId(m.body)).map((m) => m.name));
    const unkeyed = models
      .filter((m) => !keyed.has(m.name) && !(m.name in INSTANCE_WIDE))
      .filter((m) => !parents(m.body).some((parent) => keyed.has(parent)))
      .map((m) => m.name);
    expect(unkeyed).toEqual([]);
  });

  it("lists only tables that exist and carry no tenant", () => {
    for (const name of Object.keys(INSTANCE_WIDE)) {
      const model = models.find((m) => m.name === name);
      expect(model, name).toBeDefined();
      expect(hasTenantId(model!.body), name).toBe(false);
    }
  });
});
