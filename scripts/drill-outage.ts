// `npm run drill:outage`: stops PostgreSQL for DRILL_OUTAGE_SECONDS (default 10) under autocannon
// load and prints what clients got before, during and after, and how long recovery took.
// Needs `npx next build` first and PostgreSQL 15 in /usr/lib/postgresql/15/bin; it runs a
// cluster of its own (the outage must not touch anyone else's database).
import autocannon from "autocannon";
import pg from "pg";
import { ownPostgres } from "../tests/fixtures/own-postgres";
import { startServer } from "../tests/fixtures/server";
import { createTenant, refund } from "../tests/fixtures/tenant";

const CONNECTIONS = 16;
const PHASE_MS = Number(process.env.DRILL_OUTAGE_SECONDS ?? 10) * 1000;

type Phase = "before" | "down" | "after";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const database = await ownPostgres();
const server = await startServer("embedded", { DATABASE_URL: database.url });
try {
  const tenant = await createTenant(server);
  const counts: Record<Phase, Map<string, number>> = { before: new Map(), down: new Map(), after: new Map() };
  const approvedIds: string[] = [];
  let phase: Phase = "before";
  const at: Record<string, number> = {};
  const count = (what: string) => counts[phase].set(what, (counts[phase].get(what) ?? 0) + 1);

  const load = autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: 3600, // stopped below
    timeout: 30,
    requests: [{
      method: "POST",
      path: "/api/clearance",
      headers: { "content-type": "application/json", "x-vault-api-key": tenant.key },
      body: JSON.stringify(refund(45)),
      onResponse: (status, body) => {
        const answer = JSON.parse(body) as { status?: string; request_id?: string; error?: { code: string } };
        count(`${status} ${answer.status ?? answer.error?.code}`);
        if (answer.status === "approved") approvedIds.push(answer.request_id!);
        if (phase === "down" && status === 503) at.first503 ??= performance.now();
        if (phase === "after" && answer.status === "approved") at.firstApproval ??= performance.now();
      },
    }],
  }, () => undefined); // with a callback autocannon hands back the instance, which stop() ends
  load.on("reqError", (error: Error) => count(`error ${error.message}`));

  await sleep(PHASE_MS);
  at.stop = performance.now();
  database.stop();
  at.stopped = performance.now();
  phase = "down";
  await sleep(PHASE_MS);
  const health = await fetch(`${server.url}/api/health`);
  const healthDown = `${health.status} ${JSON.stringify(await health.json())}`;
  database.start();
  at.started = performance.now();
  phase = "after";
  while ((await fetch(`${server.url}/api/health`).then((r) => r.status, () => 0)) !== 200) await sleep(50);
  at.healthy = performance.now();
  await sleep(PHASE_MS);
  // Counted only once the last answers are in: stop() does not wait for those in flight.
  const done = new Promise((resolve) => load.on("done", resolve));
  load.stop();
  await done;

  // Every approval a client received must be stored as approved, with its ledger event.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows: [stored] } = await client.query<{ approved: string; with_event: string }>(
    `SELECT count(*) FILTER (WHERE r."status" = 'approved') AS approved,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "ledger_events" e WHERE e."requestId" = r."id")) AS with_event
     FROM "clearance_requests" r WHERE r."id" = ANY($1)`, [approvedIds]);
  await client.end();

  const seconds = (from: number, to?: number) => (to === undefined ? "never" : `${((to - from) / 1000).toFixed(2)} s`);
  console.log(`\nOutage drill: ${CONNECTIONS} connections, PostgreSQL stopped (pg_ctl stop -m fast) for ${PHASE_MS / 1000} s\n`);
  console.log("| phase | answers (status, decision or error code): count |");
  console.log("|---|---|");
  for (const p of ["before", "down", "after"] as const) {
    console.log(`| ${p} | ${[...counts[p]].sort().map(([what, n]) => `${what}: ${n}`).join(", ")} |`);
  }
  console.log(`\n- pg_ctl stop took ${seconds(at.stop!, at.stopped)}; first 503 after ${seconds(at.stop!, at.first503)}`);
  console.log(`- /api/health while down: ${healthDown}`);
  console.log(`- after pg_ctl start returned: health 200 after ${seconds(at.started!, at.healthy)}, first approval after ${seconds(at.started!, at.firstApproval)}`);
  console.log(`- approvals answered: ${approvedIds.length}; stored as approved: ${stored!.approved}; with their ledger event: ${stored!.with_event}`);
  const lost = approvedIds.length - Number(stored!.with_event);
  const unexpected = Object.values(counts).flatMap((m) => [...m.keys()]).filter((what) => !/^(200 |503 database_unavailable)/.test(what));
  if (lost > 0 || unexpected.length > 0) {
    console.error(`drill failed: ${lost} approvals without a record; unexpected answers: ${unexpected.join(", ") || "none"}`);
    process.exitCode = 1;
  }
} finally {
  await server.stop();
  database.remove();
}
