// storeDecision on both databases: concurrent decisions share
// statements (group commit) yet each terminal one gets exactly one ledger event, and
// what is read back is what was written, whatever the process's time zone.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import type { LedgerEntry } from "@/sdk/typescript/src/ledger/types";
import { createPostgresDatabase } from "../../fixtures/server";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-insert-"));
fs.chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when tests run as root
vi.stubEnv("LEDGIX_DATA_DIR", dataDir);
vi.stubEnv("LEDGIX_MASTER_KEY", undefined);
// pg sends a Date in local time: a zone far from UTC shows whether the write path corrects for it.
vi.stubEnv("TZ", "Asia/Kolkata");
vi.spyOn(console, "warn").mockImplementation(() => undefined); // the dev master key notice

const { openDatabase } = await import("@/lib/db/open");
const { storeDecision } = await import("@/lib/clearance/store-decision");
const { createTenant } = await import("@/lib/tenants/tenants");
const { eventHash, leafHash } = await import("@/sdk/typescript/src/ledger/hashes");
const { eventPayload } = await import("@/sdk/typescript/src/ledger/payloads");
const { newId } = await import("@/lib/ids");
const { Prisma } = await import("@/lib/db");

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const STATUSES = ["approved", "denied", "pending_review"] as const;

function newRequest(tenantId: string, i: number) {
  const status = STATUSES[i % STATUSES.length]!;
  const terminal = status !== "pending_review";
  return {
    id: newId("req"),
    tenantId,
    agentId: `agent-${i}`,
    sessionId: "s",
    toolName: "stripe_refund",
    toolArgs: { amount: i, note: "ünïcode ✓", nested: { list: [1, 2.5, null] } },
    context: { policy_id: "refunds" },
    rawBody: `{"i":${i}}`,
    toolArgsHash: "0".repeat(64),
    status,
    decisionStatus: status === "pending_review" ? "approved_pending_review" : status,
    confidenceBucket: "high",
    reason: `reason ${i}`,
    ...(terminal ? { decidedAt: new Date(Date.UTC(2026, 10, 22, 21, 0, i)), decidedBy: "policy" } : {}),
  };
}

describe.each(["embedded", "postgres"] as const)("writing decisions on the %s database", (kind) => {
  const opened = (async () =>
    kind === "embedded"
      ? openDatabase({ kind, dataDir: fs.mkdtempSync(path.join(dataDir, "db-")) })
      : openDatabase({ kind, url: await createPostgresDatabase() }))();
  afterAll(async () => (await opened).close());

  it("stores concurrent decisions, each terminal one with exactly one event that hashes to its leaf", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `insert-${kind}-${Date.now()}`);
    const requests = Array.from({ length: 30 }, (_, i) => newRequest(tenant.id, i));
    const returned = await Promise.all(requests.map((request) => storeDecision(prisma, tenant, { insert: request }, { columns: request })));

    const stored = await prisma.clearanceRequest.findMany({ where: { tenantId: tenant.id } });
    expect(stored).toHaveLength(30);
    for (const row of returned) {
      expect(stored.find((s) => s.id === row.id)).toEqual(row);
    }
    const events = await prisma.ledgerEvent.findMany({ where: { tenantId: tenant.id }, orderBy: { seq: "asc" } });
    const terminal = requests.filter((r) => r.status !== "pending_review").map((r) => r.id);
    expect(events.map((e) => e.requestId).sort()).toEqual(terminal.sort());
    for (const event of events) {
      const entry = JSON.parse(event.entry) as LedgerEntry;
      const row = stored.find((s) => s.id === event.requestId)!;
      expect(entry).toMatchObject({ request_id: row.id, tool_args: row.toolArgs, approved: row.status === "approved", accepted_at: row.decidedAt!.toISOString() });
      expect(leafHash(eventHash(eventPayload(entry)))).toBe(event.leafHash);
    }
  });

  it("moves a pending request once, with its event, and refuses a second decision", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `transition-${kind}-${Date.now()}`);
    const request = newRequest(tenant.id, 2);
    const pending: ClearanceRequest = await storeDecision(prisma, tenant, { insert: request }, { columns: request });
    expect(pending.status).toBe("pending_review");
    const decidedAt = new Date();
    const approve = { status: "approved", decisionStatus: "approved", decidedAt, decidedBy: "operator:test" };
    const [first, second] = await Promise.all([
      storeDecision(prisma, tenant, { settle: pending, from: ["pending_review"] }, { columns: approve }),
      storeDecision(prisma, tenant, { settle: pending, from: ["pending_review"] }, { columns: { ...approve, status: "denied", decisionStatus: "denied" } }),
    ]);
    const winner = first ?? second;
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const stored = await prisma.clearanceRequest.findUniqueOrThrow({ where: { id: pending.id } });
    expect(stored).toEqual(winner);
    expect(stored.decidedAt).toEqual(decidedAt);
    const events = await prisma.ledgerEvent.findMany({ where: { requestId: pending.id } });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.entry)).toMatchObject({ approved: stored.status === "approved", accepted_at: decidedAt.toISOString() });
  });
});

describe("statements stored alongside a decision", () => {
  const opened = (async () => openDatabase({ kind: "postgres", url: await createPostgresDatabase() }))();
  afterAll(async () => (await opened).close());

  it("commit with the decision, and see its row", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `alongside-${Date.now()}`);
    const request = newRequest(tenant.id, 0);
    const row = await storeDecision(prisma, tenant, { insert: request }, {
      columns: request,
      alongside: (stored) => [Prisma.sql`UPDATE "tenants" SET "name" = ${`decided ${stored.id}`} WHERE "id" = ${tenant.id}`],
    });
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).name).toBe(`decided ${row.id}`);
    expect(await prisma.ledgerEvent.count({ where: { requestId: row.id } })).toBe(1);
  });

  it("take the decision down with them when they fail", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `alongside-fail-${Date.now()}`);
    const request = newRequest(tenant.id, 0);
    await expect(storeDecision(prisma, tenant, { insert: request }, { columns: request, alongside: () => [Prisma.sql`SELECT 1 / 0`] }))
      .rejects.toThrow(/division by zero/);
    expect(await prisma.clearanceRequest.count({ where: { id: request.id } })).toBe(0);
    expect(await prisma.ledgerEvent.count({ where: { requestId: request.id } })).toBe(0);
  });
});

describe("a decision's notification job", () => {
  const opened = (async () => openDatabase({ kind: "postgres", url: await createPostgresDatabase() }))();
  afterAll(async () => (await opened).close());

  // No worker runs here, so every job a decision enqueued is still in the queue.
  const queued = async (requestIds: string[]) => {
    const rows = await (await opened).sql.query<{ key: string }>(`SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'notify:event' AND split_part(key, ':', 3) = ANY($1)`, [requestIds]);
    return rows.map((row) => row.key).sort();
  };

  it("is enqueued for an approval by policy only while a webhook subscribes to approvals; always for the rest", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `notify-${Date.now()}`);
    const decide = (i: number) => {
      const request = newRequest(tenant.id, i); // approved, denied, pending_review by i
      return storeDecision(prisma, tenant, { insert: request }, { columns: request });
    };
    const [approved, denied, pending] = await Promise.all([0, 1, 2].map(decide));
    expect(approved!.status).toBe("approved");
    expect(await queued([approved!.id, denied!.id, pending!.id])).toEqual([`notify:clearance.denied:${denied!.id}`, `notify:clearance.pending_review:${pending!.id}`]);

    await prisma.webhookEndpoint.create({ data: { id: newId("whk"), tenantId: tenant.id, url: "sealed", urlHint: "hooks.test/…", secret: "sealed", events: ["clearance.approved"] } });
    const subscribed = await decide(0);
    expect(await queued([subscribed.id])).toEqual([`notify:clearance.approved:${subscribed.id}`]);
  });
});

describe("an approval's token", () => {
  const opened = (async () => openDatabase({ kind: "postgres", url: await createPostgresDatabase() }))();
  afterAll(async () => (await opened).close());

  const withToken = (request: ReturnType<typeof newRequest>) => {
    const now = Math.floor(Date.now() / 1000);
    return request.status === "approved" ? { ...request, tokenJti: newId("jti"), tokenKeyId: "key_test", tokenIssuedAt: now, tokenExpiresAt: now + 300 } : request;
  };

  it("is recorded by the statement that stores the approval (channel decision), never for the rest", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `issuance-${Date.now()}`);
    const requests = Array.from({ length: 9 }, (_, i) => withToken(newRequest(tenant.id, i)));
    await Promise.all(requests.map((request) => storeDecision(prisma, tenant, { insert: request }, { columns: request })));
    const approvals = requests.flatMap((r) => ("tokenJti" in r ? [r] : []));
    expect(approvals).toHaveLength(3);
    const issued = await prisma.tokenIssuance.findMany({ where: { tenantId: tenant.id }, orderBy: { jti: "asc" } });
    expect(issued.map(({ jti, requestId, approvalId, channel, expiresAt }) => ({ jti, requestId, approvalId, channel, expiresAt }))).toEqual(
      approvals
        .map((r) => ({ jti: r.tokenJti, requestId: r.id, approvalId: r.id, channel: "decision", expiresAt: new Date(r.tokenExpiresAt * 1000) }))
        .sort((a, b) => a.jti.localeCompare(b.jti)),
    );
  });

  it("is not recorded when its decision fails", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `issuance-fail-${Date.now()}`);
    const request = withToken(newRequest(tenant.id, 0));
    await expect(storeDecision(prisma, tenant, { insert: request }, { columns: request, alongside: () => [Prisma.sql`SELECT 1 / 0`] })).rejects.toThrow(/division by zero/);
    expect(await prisma.tokenIssuance.count({ where: { tenantId: tenant.id } })).toBe(0);
  });
});
