// Builds an N-entry ledger (default 1,000,000) for one new tenant on the PostgreSQL at
// DATABASE_URL, for the ledger benchmark (scripts/bench-ledger.ts imports it too).
//
//   DATABASE_URL=postgres://… LEDGIX_DATA_DIR=… node --import tsx scripts/seed-ledger.ts [N]
//
// Every entry is real: decisionEntry() hashes and signs it exactly as a decision would
// be, from a synthetic decided clearance request that is stored beside it (the proof
// routes look the request up). Rows go in with large INSERT … SELECT FROM unnest(…)
// statements; the real sequencer (integrateTenant) then builds the tree and signs the
// checkpoints. Start the server with the same DATABASE_URL and LEDGIX_DATA_DIR (or
// LEDGIX_MASTER_KEY): the ledger signing key is sealed under that master key.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { createApiKey } from "@/lib/auth/api-keys";
import { toolArgsHash } from "@/lib/clearance/args-hash";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { openDatabase, type RawSql } from "@/lib/db/open";
import { newId } from "@/lib/ids";
import { activeSigningKey, type ActiveSigningKey } from "@/lib/keys/signing-keys";
import { decisionEntry } from "@/lib/ledger/append-event";
import { integrateTenant } from "@/lib/ledger/sequencer";
import { createTenant } from "@/lib/tenants/tenants";

export interface SeedTenant {
  id: string;
  name: string;
  /** An API key of the tenant, for the HTTP benchmark. */
  apiKey: string;
  ledgerCanonicalVersion: number;
}

export interface Phase {
  name: string;
  seconds: number;
  rows: number;
}

const quiet: (line: string) => void = () => {};
const seconds = (since: number) => (performance.now() - since) / 1000;
const rate = (rows: number, s: number) => `${Math.round(rows / s).toLocaleString("en-US")}/s`;

export async function createSeedTenant(prisma: PrismaClient, label: string): Promise<SeedTenant> {
  const tenant = await createTenant(prisma, `${label}-${randomBytes(4).toString("hex")}`);
  const { key } = await createApiKey(prisma, tenant.id, label);
  return { id: tenant.id, name: tenant.name, apiKey: key, ledgerCanonicalVersion: tenant.ledgerCanonicalVersion };
}

/** A decided request as the clearance path would store it: a refund under the example policy. */
export function syntheticRequest(tenantId: string, i: number, decidedAt: Date): ClearanceRequest {
  const amount = ((i * 7919) % 2000) + 1;
  const approved = amount <= 1000;
  const toolArgs = { amount, currency: "USD" };
  const context = { policy_id: "refunds" };
  const agentId = `agent-${i % 64}`;
  const sessionId = `sess-${i % 4096}`;
  return {
    id: newId("req"),
    tenantId,
    apiKeyId: null,
    agentId,
    sessionId,
    toolName: "stripe_refund",
    toolArgs,
    context,
    rawBody: JSON.stringify({ tool_name: "stripe_refund", tool_args: toolArgs, agent_id: agentId, session_id: sessionId, context }),
    humanPrincipal: null,
    parentJti: null,
    channel: "api",
    status: approved ? "approved" : "denied",
    decisionStatus: approved ? "approved" : "denied",
    confidenceBucket: "high",
    reason: approved ? "Refunds up to 1,000 USD are automatic" : "Refunds above 1,000 USD are never automated",
    reasonCode: null,
    policySlug: "refunds",
    policyVersionId: null,
    policyContentHash: null,
    matchedRuleId: approved ? "small-refunds" : "large-refunds",
    toolArgsHash: toolArgsHash(toolArgs),
    approvedArgs: null,
    approvedArgsHash: null,
    limitAmounts: null,
    reviewQuorum: null,
    reviewTimeoutSeconds: null,
    reviewDeadline: null,
    reviewerGroups: [],
    reviewEscalateAt: null,
    reviewEscalatedAt: null,
    originalRequestId: null,
    createdAt: decidedAt,
    decidedAt,
    decidedBy: "policy",
    tokenJti: null,
    tokenKeyId: null,
    tokenIssuedAt: null,
    tokenExpiresAt: null,
    explanation: null,
    grantId: null,
  };
}

// The stored request: every column the product writes for a decided request (nulls left out).
const REQUEST_COLUMNS: Array<[column: keyof ClearanceRequest, type: string, value: (row: ClearanceRequest) => string]> = [
  ["id", "text", (r) => r.id],
  ["agentId", "text", (r) => r.agentId],
  ["sessionId", "text", (r) => r.sessionId],
  ["toolName", "text", (r) => r.toolName],
  ["toolArgs", "jsonb", (r) => JSON.stringify(r.toolArgs)],
  ["context", "jsonb", (r) => JSON.stringify(r.context)],
  ["rawBody", "text", (r) => r.rawBody],
  ["status", "text", (r) => r.status],
  ["decisionStatus", "text", (r) => r.decisionStatus],
  ["confidenceBucket", "text", (r) => r.confidenceBucket],
  ["reason", "text", (r) => r.reason],
  ["policySlug", "text", (r) => r.policySlug!],
  ["matchedRuleId", "text", (r) => r.matchedRuleId!],
  ["toolArgsHash", "text", (r) => r.toolArgsHash],
  ["createdAt", "timestamp(3)", (r) => r.createdAt.toISOString()],
  ["decidedAt", "timestamp(3)", (r) => r.decidedAt!.toISOString()],
  ["decidedBy", "text", (r) => r.decidedBy!],
];

// One statement per batch: $1 is the tenant, then one text[] per column, unnested row by row.
const INSERT_REQUESTS = `
  INSERT INTO "clearance_requests" ("tenantId", ${REQUEST_COLUMNS.map(([c]) => `"${c}"`).join(", ")})
  SELECT $1, ${REQUEST_COLUMNS.map(([, type], i) => `u.c${i}::${type}`).join(", ")}
  FROM unnest(${REQUEST_COLUMNS.map((_, i) => `$${i + 2}::text[]`).join(", ")}) AS u(${REQUEST_COLUMNS.map((_, i) => `c${i}`).join(", ")})`;

const INSERT_EVENTS = `
  INSERT INTO "ledger_events" ("tenantId", "requestId", "eventUuid", "entry", "leafHash")
  SELECT $1, u.request_id, u.uuid, u.entry, u.leaf FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(request_id, uuid, entry, leaf)`;

/** One batch's rows and entries, column by column (CPU: hashing and an Ed25519 signature per entry). */
function buildBatch(tenant: SeedTenant, signer: ActiveSigningKey, from: number, count: number, start: number) {
  const requests = REQUEST_COLUMNS.map(() => [] as string[]);
  const events = Array.from({ length: 4 }, () => [] as string[]);
  for (let i = from; i < from + count; i++) {
    const row = syntheticRequest(tenant.id, i, new Date(start + i));
    const entry = decisionEntry(row, tenant.ledgerCanonicalVersion, signer);
    REQUEST_COLUMNS.forEach(([, , value], c) => requests[c]!.push(value(row)));
    [row.id, entry.event_uuid, JSON.stringify(entry), entry.leaf_hash].forEach((value, c) => events[c]!.push(value));
  }
  return { requests, events };
}

/**
 * Stores `count` decided requests and their (not yet integrated) ledger events. Batch
 * n+1 is hashed and signed while PostgreSQL inserts batch n.
 */
export async function appendSyntheticEvents(
  sql: RawSql,
  tenant: SeedTenant,
  signer: ActiveSigningKey,
  count: number,
  { batch = 10_000, log = quiet } = {},
): Promise<Phase> {
  const began = performance.now();
  const start = Date.now() - count; // one request per millisecond, ending now
  let inserting: Promise<unknown> = Promise.resolve();
  let lastReport = 0;
  for (let from = 0; from < count; from += batch) {
    const { requests, events } = buildBatch(tenant, signer, from, Math.min(batch, count - from), start);
    await inserting;
    inserting = sql
      .query(INSERT_REQUESTS, [tenant.id, ...requests])
      .then(() => sql.query(INSERT_EVENTS, [tenant.id, ...events]));
    const done = from + requests[0]!.length;
    if (done - lastReport >= 100_000 || done === count) {
      lastReport = done;
      log(`  appended ${done.toLocaleString("en-US")} / ${count.toLocaleString("en-US")} (${rate(done, seconds(began))})`);
    }
  }
  await inserting;
  return { name: "append (hash, sign, bulk insert)", seconds: seconds(began), rows: count };
}

/**
 * Integrates every unsequenced event of the tenant with the real sequencer, `batch`
 * leaves per transaction, signing a checkpoint whenever the tree passes a multiple of
 * `checkpointEvery` and at the end. `backlog` is the number of events waiting.
 */
export async function integrateBacklog(
  prisma: PrismaClient,
  tenantId: string,
  signer: ActiveSigningKey,
  backlog: number,
  { batch = 10_000, checkpointEvery = 100_000, log = quiet } = {},
): Promise<Phase & { checkpoints: number }> {
  const began = performance.now();
  const tree = await prisma.ledgerTree.findUnique({ where: { tenantId } });
  const initial = Number(tree?.size ?? 0);
  const target = initial + backlog;
  let size = initial;
  let checkpoints = 0;
  let lastReport = initial;
  while (size < target) {
    const next = Math.min(size + batch, target);
    const due = next === target || Math.floor(next / checkpointEvery) > Math.floor(size / checkpointEvery);
    const options = { batchSize: batch, checkpointIntervalMs: due ? 0 : Number.POSITIVE_INFINITY, mmdSeconds: 30 };
    const result = await integrateTenant(prisma, tenantId, options, signer);
    if (!result) {
      // Another sequencer (a running server) holds the tenant's lock: it integrates too.
      await new Promise((r) => setTimeout(r, 50));
      const now = await prisma.ledgerTree.findUnique({ where: { tenantId } });
      size = Number(now?.size ?? size);
      continue;
    }
    if (result.integrated === 0) throw new Error(`ledger of ${tenantId}: expected ${target - size} more events to integrate`);
    size = result.size;
    if (result.checkpointId) checkpoints++;
    if (size - lastReport >= 100_000 || size === target) {
      lastReport = size;
      log(`  integrated ${(size - initial).toLocaleString("en-US")} / ${backlog.toLocaleString("en-US")} (${rate(size - initial, seconds(began))})`);
    }
  }
  return { name: `sequence (integrateTenant, batch ${batch})`, seconds: seconds(began), rows: backlog, checkpoints };
}

export interface SeededLedger {
  tenant: SeedTenant;
  size: number;
  checkpoints: number;
  /** The sequencing phase alone: leaves integrated into one tree per second. */
  sequenced: Phase;
  phases: Phase[];
}

/** A new tenant with an N-entry ledger, integrated and checkpointed. */
export async function seedLedger(
  prisma: PrismaClient,
  sql: RawSql,
  size: number,
  { log = quiet, checkpointEvery = 100_000 } = {},
): Promise<SeededLedger> {
  const tenant = await createSeedTenant(prisma, "bench-ledger");
  const signer = await activeSigningKey(prisma, "ledger");
  log(`tenant ${tenant.name} (${tenant.id}): ${size.toLocaleString("en-US")} entries`);
  const appended = await appendSyntheticEvents(sql, tenant, signer, size, { log });
  log(`  ${appended.name}: ${appended.seconds.toFixed(1)} s`);
  const analyzed = performance.now();
  for (const table of ["clearance_requests", "ledger_events"]) await sql.exec(`ANALYZE "${table}"`);
  const analyze: Phase = { name: "analyze", seconds: seconds(analyzed), rows: 0 };
  const sequenced = await integrateBacklog(prisma, tenant.id, signer, size, { checkpointEvery, log });
  log(`  ${sequenced.name}: ${sequenced.seconds.toFixed(1)} s, ${sequenced.checkpoints} checkpoints`);
  const vacuumed = performance.now();
  // Like a ledger that has been live a while: dead row versions gone, statistics fresh, and
  // the bulk writes flushed so that no checkpoint I/O lands on the measurements that follow.
  for (const table of ["ledger_events", "ledger_nodes", "clearance_requests"]) await sql.exec(`VACUUM ANALYZE "${table}"`);
  await sql.exec("CHECKPOINT").catch(() => log("  (CHECKPOINT needs a superuser or pg_checkpoint; skipped)"));
  const vacuum: Phase = { name: "vacuum analyze, checkpoint", seconds: seconds(vacuumed), rows: 0 };
  log(`  ${vacuum.name}: ${vacuum.seconds.toFixed(1)} s`);
  return { tenant, size, checkpoints: sequenced.checkpoints, sequenced, phases: [appended, analyze, sequenced, vacuum] };
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("Set DATABASE_URL to the PostgreSQL to seed (and LEDGIX_DATA_DIR or LEDGIX_MASTER_KEY as the server will).");
  const size = Number(process.argv[2] ?? process.env.BENCH_LEDGER_SIZE ?? 1_000_000);
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`not a ledger size: ${process.argv[2]}`);
  const began = performance.now();
  const db = await openDatabase({ kind: "postgres", url });
  try {
    const seeded = await seedLedger(db.prisma, db.sql, size, { log: (line) => console.log(line) });
    console.log("\n| phase | seconds | rows/s |\n|---|---:|---:|");
    for (const p of seeded.phases) console.log(`| ${p.name} | ${p.seconds.toFixed(1)} | ${p.rows ? Math.round(p.rows / p.seconds) : ""} |`);
    console.log(`| total (with migrations) | ${seconds(began).toFixed(1)} | |`);
    console.log(`\ntenant ${seeded.tenant.name} (${seeded.tenant.id}), ${seeded.checkpoints} checkpoints`);
    console.log(`API key: ${seeded.tenant.apiKey}`);
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
