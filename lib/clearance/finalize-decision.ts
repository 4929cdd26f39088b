import { execute, type PrismaClient } from "@/lib/db";
import { Prisma, type ClearanceRequest, type Tenant } from "@/lib/db/generated/client";
import { activeSigningKey, type ActiveSigningKey } from "@/lib/keys/signing-keys";
import { groupCommit } from "@/lib/db/group-commit";
import { decisionEntry } from "@/lib/ledger/append-event";
import type { LedgerEntry } from "@/lib/ledger/types";

export type ClearanceStatus = "processing" | "pending_review" | "approved" | "denied";

const TERMINAL = new Set<string>(["approved", "denied"]);

/** How a tenant's ledger events are written: its event layout and the current receipt key. */
export interface LedgerWriter {
  canonicalVersion: number;
  signer: ActiveSigningKey;
}

// Outside any transaction: on the embedded database a query on `prisma` inside one would wait for it.
export async function ledgerWriter(prisma: PrismaClient, tenant: Pick<Tenant, "ledgerCanonicalVersion">): Promise<LedgerWriter> {
  return { canonicalVersion: tenant.ledgerCanonicalVersion, signer: await activeSigningKey(prisma, "ledger") };
}

/** A new request's columns: these, and any others (the rest take their defaults). */
export type RequestInsert = Pick<
  ClearanceRequest,
  "id" | "tenantId" | "agentId" | "sessionId" | "toolName" | "toolArgs" | "context" | "rawBody" | "toolArgsHash" | "status" | "decisionStatus"
> &
  Partial<ClearanceRequest>;

// Every decision is written by one SQL statement that stores the request and, when the
// decision is terminal, its ledger event. One statement is atomic on its own, so no
// decision reaches a client before its event is durable, and the hot path needs neither
// an interactive transaction nor Prisma's model layer. Concurrent new decisions also
// share their statements (group commit). docs/benchmarks.md has the figures.

const COLUMNS = Object.values(Prisma.ClearanceRequestScalarFieldEnum);
const JSON_COLUMNS = new Set<string>(["toolArgs", "context", "limitAmounts", "explanation"] satisfies (keyof ClearanceRequest)[]);
const KNOWN = new Set<string>(COLUMNS);

function name(column: string) {
  if (!KNOWN.has(column)) throw new Error(`clearance_requests has no column ${column}`);
  return Prisma.raw(`"${column}"`);
}

const value = (column: string, value: unknown) =>
  JSON_COLUMNS.has(column) && value !== null ? Prisma.sql`${JSON.stringify(value)}::jsonb` : Prisma.sql`${value}`;

const EVENT_COLUMNS = Prisma.sql`"ledger_events" ("tenantId", "requestId", "eventUuid", "entry", "leafHash")`;
const eventValues = (row: ClearanceRequest, entry: Omit<LedgerEntry, "seq">) =>
  Prisma.sql`${row.tenantId}, ${row.id}, ${entry.event_uuid}, ${JSON.stringify(entry)}, ${entry.leaf_hash}`;

interface NewDecision {
  row: ClearanceRequest;
  /** Set for terminal decisions. */
  entry?: Omit<LedgerEntry, "seq">;
}

function insertStatement(decisions: NewDecision[]): Prisma.Sql {
  const rows = decisions.map(({ row }) => Prisma.sql`(${Prisma.join(COLUMNS.map((column) => value(column, row[column])))})`);
  const requests = Prisma.sql`INSERT INTO "clearance_requests" (${Prisma.join(COLUMNS.map(name))}) VALUES ${Prisma.join(rows)}`;
  const events = decisions.flatMap(({ row, entry }) => (entry ? [Prisma.sql`(${eventValues(row, entry)})`] : []));
  return events.length === 0 ? requests : Prisma.sql`WITH requests AS (${requests}) INSERT INTO ${EVENT_COLUMNS} VALUES ${Prisma.join(events)}`;
}

// Four batches in flight at most, so other queries keep most of the pool's connections.
const batchers = new WeakMap<PrismaClient, (decision: NewDecision) => Promise<void>>();
function batcher(prisma: PrismaClient) {
  let insert = batchers.get(prisma);
  if (!insert) {
    insert = groupCommit((decisions: NewDecision[]) => execute(prisma, insertStatement(decisions)), { slots: 4, max: 64 });
    batchers.set(prisma, insert);
  }
  return insert;
}

const DEFAULTS = {
  apiKeyId: null, humanPrincipal: null, parentJti: null, confidenceBucket: "none", reason: "", reasonCode: null,
  policySlug: null, policyVersionId: null, policyContentHash: null, matchedRuleId: null, limitAmounts: null,
  reviewQuorum: null, reviewTimeoutSeconds: null, originalRequestId: null, decidedAt: null, decidedBy: null,
  tokenJti: null, tokenKeyId: null, tokenIssuedAt: null, tokenExpiresAt: null, explanation: null,
} satisfies Omit<ClearanceRequest, keyof RequestInsert | "createdAt">;

const defined = <T extends object>(values: T) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;

/** Stores a new request; a terminal one with its ledger event. */
export async function insertDecision(db: PrismaClient | Prisma.TransactionClient, ledger: LedgerWriter, data: RequestInsert): Promise<ClearanceRequest> {
  const row: ClearanceRequest = { ...DEFAULTS, createdAt: new Date(), ...defined(data) };
  const decision = { row, entry: TERMINAL.has(row.status) ? decisionEntry(row, ledger.canonicalVersion, ledger.signer) : undefined };
  // A transaction client (no $connect) must run the statement itself, inside the transaction.
  if ("$connect" in db) await batcher(db)(decision);
  else await db.$executeRaw(insertStatement([decision]));
  return row;
}

/**
 * Moves `current` (the request as read) from one of `from` to its next state; a terminal
 * one gets its ledger event. Returns null when the request was no longer in one of `from`
 * (someone else decided first): no decision is ever overwritten, and no event written twice.
 */
export async function transitionDecision(
  db: Prisma.TransactionClient,
  ledger: LedgerWriter,
  current: ClearanceRequest,
  from: ClearanceStatus[],
  data: Partial<ClearanceRequest>,
): Promise<ClearanceRequest | null> {
  const changes = defined(data);
  const row: ClearanceRequest = { ...current, ...changes };
  const set = Prisma.join(Object.entries(changes).map(([column, v]) => Prisma.sql`${name(column)} = ${value(column, v)}`));
  const update = Prisma.sql`UPDATE "clearance_requests" SET ${set} WHERE "id" = ${current.id} AND "tenantId" = ${current.tenantId} AND "status" IN (${Prisma.join(from)})`;
  const moved = TERMINAL.has(row.status)
    ? await db.$executeRaw`WITH request AS (${update} RETURNING "id") INSERT INTO ${EVENT_COLUMNS} SELECT ${eventValues(row, decisionEntry(row, ledger.canonicalVersion, ledger.signer))} FROM request`
    : await db.$executeRaw(update);
  return moved === 1 ? row : null;
}
