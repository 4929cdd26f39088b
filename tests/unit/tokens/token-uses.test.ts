// The request timeline's view of a request's tokens, read from PostgreSQL.
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

const opened = (async () => openDatabase({ kind: "postgres", url: await createPostgresDatabase() }))();
afterAll(async () => {
  await (await opened).close();
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("tokenUsesOfRequest", () => {
  it("lists a request's consumed tokens oldest first, with executed/failed outcomes, only for its tenant", async () => {
    const { prisma } = await opened;
    const [tenant, other] = await Promise.all([createTenant(prisma, `uses-${Date.now()}`), createTenant(prisma, `uses-other-${Date.now()}`)]);
    const row = (jti: string, tenantId: string, second: number) => ({
      jti,
      tenantId,
      requestId: "req_1",
      tool: "stripe_refund",
      consumer: `gw-${jti}`,
      consumedAt: new Date(Date.UTC(2026, 10, 30, 6, 0, second)),
    });
    await prisma.tokenConsumption.createMany({ data: [row("jti_b", tenant.id, 2), row("jti_a", tenant.id, 1), row("jti_c", tenant.id, 3), row("jti_x", other.id, 0)] });
    await reportExecution(prisma, { tenantId: tenant.id, jti: "jti_a", status: 200 });
    await reportExecution(prisma, { tenantId: tenant.id, jti: "jti_b", status: 502 });

    const uses = await tokenUsesOfRequest(prisma, tenant.id, "req_1");
    expect(uses.map((u) => [u.jti, u.consumer, u.outcome, u.executionStatus])).toEqual([
      ["jti_a", "gw-jti_a", "executed", 200],
      ["jti_b", "gw-jti_b", "failed", 502],
      ["jti_c", "gw-jti_c", null, null],
    ]);
    expect(uses[0]!.executedAt).toBeInstanceOf(Date);
    await expect(reportExecution(prisma, { tenantId: other.id, jti: "jti_a", status: 200 })).rejects.toMatchObject({ code: "token_not_consumed" });
  });
});
