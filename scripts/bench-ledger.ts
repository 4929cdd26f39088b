// The ledger benchmark on PostgreSQL (`npm run bench` runs it after the clearance one):
// seeds a BENCH_LEDGER_SIZE-entry ledger (default 1,000,000) into a fresh database on
// LEDGIX_TEST_DATABASE_URL, then measures
//   a. append: 8 concurrent writers recording decisions (the product's storeDecision path),
//   b. sequencing: integrateTenant over a BENCH_LEDGER_BACKLOG-event backlog (default 200,000),
//   c. server-side proof latency, in process, on the seeded ledger,
//   d. GET /api/ledger/proof/bundle under 16 concurrent clients against a real server.
// Everything runs on this machine (the load generator too), so the figures include its CPU.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { openDatabase, type Database } from "@/lib/db/open";
import { storeDecision } from "@/lib/clearance/store-decision";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { verifyConsistency, verifyInclusion } from "@/sdk/typescript/src/ledger/merkle";
import { consistencyProof, inclusionProof, proofBundle } from "@/lib/ledger/read-ledger";
import { readHashTile } from "@/lib/ledger/tiles";
import type { ProofBundle } from "@/sdk/typescript/src/ledger/types";
import { verifyBundle } from "@/sdk/typescript/src/ledger/verify";
import { createPostgresDatabase, startServer } from "../tests/fixtures/server";
import { appendSyntheticEvents, createSeedTenant, integrateBacklog, seedLedger, syntheticRequest } from "./seed-ledger";

const count = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const SIZE = count("BENCH_LEDGER_SIZE", 1_000_000);
const BACKLOG = count("BENCH_LEDGER_BACKLOG", Math.min(200_000, SIZE));
const SECONDS = count("BENCH_SECONDS", 10);
const PROOFS = count("BENCH_LEDGER_PROOFS", 2_000);
const WRITERS = 8;
const CLIENTS = 16;

const log = (line: string) => console.error(line);
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p99: at(99), max: sorted.at(-1)!, n: sorted.length };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** a. WRITERS loops, each recording one decided request and its ledger event per statement. */
async function appendThroughput(db: Database) {
  const tenant = await createSeedTenant(db.prisma, "bench-append");
  let seq = 0;
  const decide = async () => {
    const request = syntheticRequest(tenant.id, seq++, new Date());
    return storeDecision(db.prisma, tenant, { insert: request }, { columns: request });
  };
  const run = async (ms: number) => {
    const latencies: number[] = [];
    const deadline = performance.now() + ms;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await decide();
          latencies.push(performance.now() - t);
        }
      }),
    );
    return { seconds: (performance.now() - began) / 1000, latencies };
  };
  await run(2_000); // warm-up: JIT, the pool's connections
  const before = await db.prisma.ledgerEvent.count({ where: { tenantId: tenant.id } });
  const { seconds, latencies } = await run(SECONDS * 1000);
  const events = (await db.prisma.ledgerEvent.count({ where: { tenantId: tenant.id } })) - before;
  if (events !== latencies.length) throw new Error(`append: ${latencies.length} decisions but ${events} events`);
  return { events, seconds, ...percentiles(latencies) };
}

/** c. One call at a time, in this process: the server-side cost of a proof, HTTP excluded. */
async function timed<T>(calls: number, call: (i: number) => Promise<T>) {
  for (let i = 0; i < Math.min(200, calls); i++) await call(i); // warm-up
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await call(i);
    latencies.push(performance.now() - t);
  }
  return percentiles(latencies);
}

async function main() {
  if (!process.env.LEDGIX_TEST_DATABASE_URL) throw new Error("Set LEDGIX_TEST_DATABASE_URL (npm run bench starts a throwaway PostgreSQL).");
  // The seeding, this process and the server share the development master key in this directory.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-bench-ledger-"));
  process.env.LEDGIX_DATA_DIR = dataDir;
  const url = await createPostgresDatabase();
  const db = await openDatabase({ kind: "postgres", url });
  const started = new Date();
  try {
    log(`== seeding ${fmt(SIZE)} entries`);
    const seedBegan = performance.now();
    const seeded = await seedLedger(db.prisma, db.sql, SIZE, { log });
    const seedSeconds = (performance.now() - seedBegan) / 1000;
    const tenantId = seeded.tenant.id;

    log("== proofs in process");
    const ids = (await db.sql.query<{ id: string }>(`SELECT "id" FROM "clearance_requests" WHERE "tenantId" = $1 ORDER BY random() LIMIT ${PROOFS}`, [tenantId])).map((r) => r.id);
    const checkpoints = await db.prisma.ledgerCheckpoint.findMany({ where: { tenantId }, orderBy: { checkpointId: "asc" } });
    const pairs = checkpoints.flatMap((from) => checkpoints.filter((to) => to.checkpointId > from.checkpointId).map((to) => [from.checkpointId, to.checkpointId] as const));
    // The proofs are real: spot-check one of each against the signed roots.
    const sample = await inclusionProof(db.prisma, tenantId, ids[0]!);
    verifyInclusion(sample.leaf_index, sample.tree_size, sample.leaf_hash, sample.path, sample.checkpoint.root_hash);
    const [first, last] = [checkpoints[0]!, checkpoints.at(-1)!];
    const consistent = await consistencyProof(db.prisma, tenantId, first.checkpointId, last.checkpointId);
    if (pairs.length > 0) verifyConsistency(Number(first.treeSize), Number(last.treeSize), first.rootHash, last.rootHash, consistent.path);
    const inclusion = await timed(PROOFS, (i) => inclusionProof(db.prisma, tenantId, ids[i % ids.length]!));
    const consistency = pairs.length > 0 ? await timed(PROOFS, () => consistencyProof(db.prisma, tenantId, ...pick(pairs))) : undefined;
    const bundle = await timed(PROOFS, (i) => proofBundle(db.prisma, tenantId, ids[i % ids.length]!));
    // C2SP tlog-tiles: a random full tile of 256 hashes at levels 0 and 1 (level 1 exists from 65,536 entries).
    const randomTile = (level: number) => Math.floor(Math.random() * Math.floor(SIZE / 256 ** (level + 1)));
    const tileTimes: [number, Awaited<ReturnType<typeof timed>>][] = [];
    for (const level of [0, 1].filter((l) => SIZE >= 256 ** (l + 1))) {
      tileTimes.push([level, await timed(PROOFS, () => readHashTile(db.prisma, tenantId, { level, index: randomTile(level), width: 256 }))]);
    }

    log(`== GET /api/ledger/proof/bundle, ${CLIENTS} clients`);
    const server = await startServer("postgres", { DATABASE_URL: url, LEDGIX_DATA_DIR: dataDir });
    type Load = { rps: number; p50: number; p99: number; total: number };
    const http: Record<number, Load> = {};
    let ping: Load;
    try {
      const headers = { "x-vault-api-key": seeded.tenant.apiKey };
      const one = await fetch(`${server.url}/api/ledger/proof/bundle?request_id=${ids[0]}`, { headers });
      const verified = verifyBundle((await one.json()) as ProofBundle);
      if (!verified.ok) throw new Error(`the served bundle does not verify: ${JSON.stringify(verified)}`);
      const load = async (connections: number, path: () => string) => {
        const options: autocannon.Options = { url: server.url, headers, connections, requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: path() }) }] };
        await autocannon({ ...options, duration: 2 }); // warm-up
        const result = await autocannon({ ...options, duration: SECONDS });
        const failed = result.non2xx + result.errors + result.timeouts;
        if (failed > 0) throw new Error(`${path()}: ${failed} failed requests\n${server.logs().slice(-2000)}`);
        return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
      };
      // One client shows a request's own latency; CLIENTS adds the queueing of a saturated
      // server, and the empty route under the same load is the floor of that queueing.
      for (const connections of [CLIENTS, 1]) http[connections] = await load(connections, () => `/api/ledger/proof/bundle?request_id=${pick(ids)}`);
      ping = await load(CLIENTS, () => "/api/ping");
    } finally {
      await server.stop();
    }

    log(`== append, ${WRITERS} writers`);
    const append = await appendThroughput(db);

    log(`== sequencer, ${fmt(BACKLOG)}-event backlog`);
    const backlogTenant = await createSeedTenant(db.prisma, "bench-backlog");
    const signer = await activeSigningKey(db.prisma, "ledger");
    await appendSyntheticEvents(db.sql, backlogTenant, signer, BACKLOG, { log });
    await db.sql.exec(`ANALYZE "ledger_events"`);
    const sequenced = await integrateBacklog(db.prisma, backlogTenant.id, signer, BACKLOG, { log });

    const out = (line = "") => console.log(line);
    out(`\n### Ledger (PostgreSQL, ${fmt(SIZE)} entries)\n`);
    out(`Run started ${started.toISOString()}; ${os.cpus().length} CPUs; load generator, server and PostgreSQL on the same machine.\n`);
    out("Seeding (scripts/seed-ledger.ts):\n");
    out("| phase | seconds | rows/s |");
    out("|---|---:|---:|");
    for (const p of seeded.phases) out(`| ${p.name} | ${p.seconds.toFixed(1)} | ${p.rows ? fmt(p.rows / p.seconds) : ""} |`);
    out(`| total: ${fmt(SIZE)} entries, ${seeded.checkpoints} checkpoints | ${seedSeconds.toFixed(1)} | |`);
    out("\nThroughput:\n");
    out("| measurement | result | target |");
    out("|---|---:|---:|");
    out(`| append: ${WRITERS} writers, one decision + event per statement, ${SECONDS} s (p50 ${append.p50.toFixed(1)} ms, p99 ${append.p99.toFixed(1)} ms per decision) | ${fmt(append.events / append.seconds)} events/s | ≥ 3,000 |`);
    out(`| sequencer: ${fmt(BACKLOG)}-event backlog, batch 10,000 (${sequenced.seconds.toFixed(1)} s) | ${fmt(sequenced.rows / sequenced.seconds)} leaves/s | ≥ 10,000 |`);
    out(`| sequencer during seeding: ${fmt(SIZE)} leaves into one tree (${seeded.sequenced.seconds.toFixed(1)} s) | ${fmt(SIZE / seeded.sequenced.seconds)} leaves/s | ≥ 10,000 |`);
    out(`\nLatency at ${fmt(SIZE)} entries (${seeded.checkpoints} checkpoints):\n`);
    out("| measurement | calls | p50 ms | p99 ms | max ms | target p99 |");
    out("|---|---:|---:|---:|---:|---:|");
    const row = (title: string, r: ReturnType<typeof percentiles>, target: string) =>
      out(`| ${title} | ${fmt(r.n)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${target} |`);
    row("inclusion proof, in process (`inclusionProof`), random leaves", inclusion, "≤ 5 ms");
    if (consistency) row(`consistency proof, in process (\`consistencyProof\`), random pairs of ${checkpoints.length} checkpoints`, consistency, "≤ 5 ms");
    row("proof bundle, in process (`proofBundle`), one at a time", bundle, "");
    for (const [level, times] of tileTimes) row(`hash tile, level ${level}, in process (\`readHashTile\`), random full tiles`, times, "");
    for (const [connections, r] of Object.entries(http).sort(([a], [b]) => Number(b) - Number(a))) {
      const clients = connections === "1" ? "1 client" : `${connections} concurrent clients`;
      const target = connections === String(CLIENTS) ? "≤ 20 ms" : "";
      out(`| GET /api/ledger/proof/bundle over HTTP, ${clients}, ${SECONDS} s: ${fmt(r.rps)} requests/s | ${fmt(r.total)} | ${r.p50} | ${r.p99} | | ${target} |`);
    }
    out(`| GET /api/ping (empty route) over HTTP, ${CLIENTS} concurrent clients, ${SECONDS} s: ${fmt(ping.rps)} requests/s | ${fmt(ping.total)} | ${ping.p50} | ${ping.p99} | | |`);
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(url);
  }
}

/** The seeded database takes gigabytes: drop it unless BENCH_KEEP_DATABASE is set. */
async function dropDatabase(url: string) {
  if (process.env.BENCH_KEEP_DATABASE) return log(`kept the ledger database: ${url}`);
  const admin = new pg.Client({ connectionString: process.env.LEDGIX_TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

await main();
