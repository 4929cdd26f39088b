import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../fixtures/server";

// The triggers on the decision path run inside every decision, with plans PL/pgSQL caches per
// connection. A cached generic plan is made without the parameters' values, often while a table
// is still small and unanalysed; if it may choose a tenant index there, each decision then
// scans the tenant's every request, and the clearance path slows as the tenant grows (issue
// 24: 1.2 → 5 ms of PostgreSQL CPU per decision within 40 s of load). auto_explain, loaded in
// this session only, reports the plan each trigger statement ran with.

let db: pg.Client;
const plans: string[] = [];

beforeAll(async () => {
  db = new pg.Client({ connectionString: await createPostgresDatabase() });
  await db.connect();
  db.on("notice", (notice) => plans.push(notice.message ?? ""));
  await db.query(`LOAD 'auto_explain'`);
  for (const setting of ["auto_explain.log_min_duration = 0", "auto_explain.log_nested_statements = on", "client_min_messages = log", "plan_cache_mode = force_generic_plan"]) {
    await db.query(`SET ${setting}`);
  }
  await db.query(`INSERT INTO "tenants" ("id", "name") VALUES ('ten_plans', 'plans')`);
});

afterAll(async () => {
  await db?.end();
});

const appendEvents = (count: number) =>
  db.query(
    `INSERT INTO "ledger_events" ("tenantId", "requestId", "eventUuid", "entry", "leafHash")
     SELECT 'ten_plans', 'req_plans_' || i, gen_random_uuid()::text, '{}', encode(sha256(int8send(i)), 'hex') FROM generate_series(1, $1::int) i`,
    [count],
  );

describe("the decision path's trigger statements", () => {
  it("find a decision's request by its primary key, whatever plan is cached", async () => {
    plans.length = 0;
    await appendEvents(3);
    const audit = plans.filter((plan) => plan.includes(`INSERT INTO "audit_events"`));
    expect(audit).toHaveLength(3);
    for (const plan of audit) {
      expect(plan).toContain("clearance_requests_pkey");
      expect(plan).not.toMatch(/clearance_requests_tenantId/);
    }
  });
});
