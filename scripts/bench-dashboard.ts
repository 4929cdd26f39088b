// Server time of the review queue and the requests list with 10,000 pending requests,
// on PostgreSQL. Requests are sequential on loopback, so each figure is the server's
// time to render the page plus a negligible transfer; the target is < 300 ms.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startServer } from "../tests/fixtures/server";
import { createTenant } from "../tests/fixtures/tenant";

const PENDING = Number(process.env.BENCH_PENDING ?? 10_000);
const SAMPLES = 30;

const server = await startServer("postgres");
const db = new pg.Client({ connectionString: server.env.DATABASE_URL });
try {
  const tenant = await createTenant(server);
  await db.connect();
  // Ids keep the real format (req_ + 26 sortable chars) so keyset paging behaves as in production.
  await db.query(`
    INSERT INTO clearance_requests (id, "tenantId", "agentId", "sessionId", "toolName", "toolArgs", context, "rawBody", status, "decisionStatus", reason, "toolArgsHash", "createdAt")
    SELECT 'req_' || lpad(to_hex(i), 26, '0'), $1, 'agent-' || (i % 20), 'sess-' || (i % 500), 'stripe_refund',
           jsonb_build_object('amount', 100 + i, 'currency', 'USD'), '{}', '{}', 'pending_review', 'approved_pending_review',
           'Refunds between 100 and 1,000 USD need a person', md5(i::text), now() - (i || ' seconds')::interval
    FROM generate_series(1, $2) i`, [tenant.id, PENDING]);
  await db.query("ANALYZE clearance_requests");
  const userId = `usr_${randomBytes(13).toString("hex").slice(0, 26)}`;
  const token = randomBytes(32).toString("hex");
  await db.query(`INSERT INTO users (id, email) VALUES ($1, 'bench@example.com')`, [userId]);
  await db.query(`INSERT INTO memberships ("tenantId", "userId", role) VALUES ($1, $2, 'owner')`, [tenant.id, userId]);
  await db.query(`INSERT INTO sessions (id, "sessionToken", "userId", expires) VALUES ($1, $2, $3, now() + interval '1 day')`, [`ses_${token.slice(0, 26)}`, token, userId]);
  const cookie = `next-auth.session-token=${token}`;

  const lastPage = (await db.query(`SELECT id FROM clearance_requests WHERE "tenantId" = $1 ORDER BY id LIMIT 1 OFFSET 60`, [tenant.id])).rows[0].id as string;
  const pages = [
    ["/reviews (queue, oldest 50 of all pending)", "/reviews"],
    ["/requests (newest 50)", "/requests"],
    ["/requests?status=pending_review&agent=agent-7", "/requests?status=pending_review&agent=agent-7"],
    ["/requests?cursor=… (near the last page)", `/requests?cursor=${lastPage}`],
    ["/api/dashboard/reviews (the queue's poll)", "/api/dashboard/reviews"],
  ];
  console.log(`\n${PENDING.toLocaleString("en")} pending requests, PostgreSQL, ${SAMPLES} sequential requests per row after 3 warm-ups\n`);
  console.log("| page | p50 ms | p95 ms | max ms |");
  console.log("|---|---:|---:|---:|");
  for (const [title, path] of pages) {
    const times: number[] = [];
    for (let i = 0; i < SAMPLES + 3; i++) {
      const start = performance.now();
      const res = await fetch(`${server.url}${path}`, { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      if (i >= 3) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
    console.log(`| ${title} | ${at(0.5)} | ${at(0.95)} | ${at(1)} |`);
  }
} finally {
  await db.end().catch(() => {});
  await server.stop();
}
