// The request timeline's view of a request's tokens, and the requests list's execution filter,
// read from PostgreSQL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createPostgresDatabase } from "../../fixtures/server";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-token-uses-"));
vi.stubEnv("LEDGIX_DATA_DIR", dataDir);
vi.spyOn(console, "warn").mockImplementation(() => undefined);

const { openDatabase } = await import("@/lib/db/open");
const { createTenant } = await import("@/lib/tenants/tenants");
const { reportExecution } = await import("@/lib/tokens/report-execution");
const { tokenUsesOfRequest } = await import("@/lib/tokens/token-uses");
const { listRequests } = await import("@/lib/clearance/list-requests");

const opened = (async () => openDatabase({ kind: "postgres", url: await createPostgresDatabase() }))();
afterAll(async () => {
  await (await opened).close();
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Prisma = Awaited<typeof opened>["prisma"];
const requestRow = (prisma: Prisma, tenantId: string, id: string, status = "approved") =>
  prisma.clearanceRequest.create({
    data: { id, tenantId, agentId: "bot", sessionId: "", toolName: "stripe_refund", toolArgs: {}, context: {}, rawBody: "{}", status, decisionStatus: status, toolArgsHash: id },
  });
const use = (jti: string, tenantId: string, requestId: string, second: number) => ({
  jti,
  tenantId,
  requestId,
  tool: "stripe_refund",
  consumer: `gw-${jti}`,
  consumedAt: new Date(Date.UTC(2026, 10, 30, 6, 0, second)),
});

describe("tokenUsesOfRequest", () => {
  it("lists a request's consumed tokens oldest first, with executed/failed outcomes, only for its tenant", async () => {
    const { prisma } = await opened;
    const [tenant, other] = await Promise.all([createTenant(prisma, `uses-${Date.now()}`), createTenant(prisma, `uses-other-${Date.now()}`)]);
    const [ours, theirs] = [`req_${tenant.id}`, `req_${other.id}`];
    await Promise.all([requestRow(prisma, tenant.id, ours), requestRow(prisma, other.id, theirs)]);
    await prisma.tokenConsumption.createMany({ data: [use("jti_b", tenant.id, ours, 2), use("jti_a", tenant.id, ours, 1), use("jti_c", tenant.id, ours, 3), use("jti_x", other.id, theirs, 0)] });
    await reportExecution(prisma, { tenantId: tenant.id, jti: "jti_a", status: 200 });
    await reportExecution(prisma, { tenantId: tenant.id, jti: "jti_b", status: 502 });

    const uses = await tokenUsesOfRequest(prisma, tenant.id, ours);
    expect(uses.map((u) => [u.jti, u.consumer, u.outcome, u.executionStatus])).toEqual([
      ["jti_a", "gw-jti_a", "executed", 200],
      ["jti_b", "gw-jti_b", "failed", 502],
      ["jti_c", "gw-jti_c", null, null],
    ]);
    expect(uses[0]!.executedAt).toBeInstanceOf(Date);
    await expect(reportExecution(prisma, { tenantId: other.id, jti: "jti_a", status: 200 })).rejects.toMatchObject({ code: "token_not_consumed" });
  });
});

describe("the requests list's execution filter", () => {
  it("finds approved requests that no use ran: unused, or refused by the service; an unreported use may have run", async () => {
    const { prisma } = await opened;
    const tenant = await createTenant(prisma, `filter-${Date.now()}`);
    const id = (name: string) => `req_${name}_${tenant.id}`;
    await Promise.all([
      ...["unused", "failed", "ran", "unreported"].map((name) => requestRow(prisma, tenant.id, id(name))),
      requestRow(prisma, tenant.id, id("denied"), "denied"),
    ]);
    await prisma.tokenConsumption.createMany({
      data: [use(`f_${tenant.id}`, tenant.id, id("failed"), 1), use(`r_${tenant.id}`, tenant.id, id("ran"), 2), use(`u_${tenant.id}`, tenant.id, id("unreported"), 3)],
    });
    await reportExecution(prisma, { tenantId: tenant.id, jti: `f_${tenant.id}`, status: 503 });
    await reportExecution(prisma, { tenantId: tenant.id, jti: `r_${tenant.id}`, status: 200 });

    const ids = async (filters: Parameters<typeof listRequests>[2]) => (await listRequests(prisma, tenant.id, filters)).items.map((r) => r.id).sort();
    expect(await ids({ execution: "unexecuted" })).toEqual([id("failed"), id("unused")].sort());
    expect(await ids({ execution: "executed" })).toEqual([id("ran"), id("unreported")].sort());
    expect(await ids({ execution: "unexecuted", status: "denied" })).toEqual([]);
    expect(await ids({})).toHaveLength(5);
  });
});
