import type { PrismaClient } from "@/lib/db";
import { Prisma, type ClearanceRequest, type Tenant } from "@/lib/db/generated/client";
import { activeSigningKey, type ActiveSigningKey } from "@/lib/keys/signing-keys";
import { decisionEntry } from "@/lib/ledger/append-event";

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
// an interactive transaction nor Prisma's model layer: 3–4× the throughput (docs/benchmarks.md).

const COLUMNS = new Set<string>(Object.values(Prisma.ClearanceRequestScalarFieldEnum));
const JSON_COLUMNS = new Set<string>(["toolArgs", "context", "limitAmounts"] satisfies (keyof ClearanceRequest)[]);

function columns(values: Partial<ClearanceRequest>) {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => {
      if (!COLUMNS.has(column)) throw new Error(`clearance_requests has no column ${column}`);
      const sql = JSON_COLUMNS.has(column) && value !== null ? Prisma.sql`${JSON.stringify(value)}::jsonb` : Prisma.sql`${value}`;
      return { name: Prisma.raw(`"${column}"`), sql };
    });
}

/** `write` (whose RETURNING names the request's id) followed by the request's ledger event. */
function withEvent(write: Prisma.Sql, row: ClearanceRequest, ledger: LedgerWriter) {
  const entry = decisionEntry(row, ledger.canonicalVersion, ledger.signer);
  return Prisma.sql`
    WITH request AS (${write} RETURNING "id")
    INSERT INTO "ledger_events" ("tenantId", "requestId", "eventUuid", "entry", "leafHash")
    SELECT ${row.tenantId}, "id", ${entry.event_uuid}, ${JSON.stringify(entry)}, ${entry.leaf_hash} FROM request`;
}

const DEFAULTS = {
  apiKeyId: null, humanPrincipal: null, parentJti: null, confidenceBucket: "none", reason: "", reasonCode: null,
  policySlug: null, policyVersionId: null, policyContentHash: null, matchedRuleId: null, limitAmounts: null,
  reviewQuorum: null, reviewTimeoutSeconds: null, originalRequestId: null, decidedAt: null, decidedBy: null,
  tokenJti: null, tokenKeyId: null, tokenIssuedAt: null, tokenExpiresAt: null,
} satisfies Omit<ClearanceRequest, keyof RequestInsert | "createdAt">;

const defined = <T extends object>(values: T) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;

/** Stores a new request; a terminal one with its ledger event. */
export async function insertDecision(db: Prisma.TransactionClient, ledger: LedgerWriter, data: RequestInsert): Promise<ClearanceRequest> {
  const row: ClearanceRequest = { ...DEFAULTS, createdAt: new Date(), ...defined(data) };
  const values = columns(row);
  const insert = Prisma.sql`INSERT INTO "clearance_requests" (${Prisma.join(values.map((v) => v.name))}) VALUES (${Prisma.join(values.map((v) => v.sql))})`;
  await db.$executeRaw(TERMINAL.has(row.status) ? withEvent(insert, row, ledger) : insert);
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
  const row: ClearanceRequest = { ...current, ...defined(data) };
  const set = Prisma.join(columns(data).map((v) => Prisma.sql`${v.name} = ${v.sql}`));
  const update = Prisma.sql`UPDATE "clearance_requests" SET ${set} WHERE "id" = ${current.id} AND "tenantId" = ${current.tenantId} AND "status" IN (${Prisma.join(from)})`;
  const moved = await db.$executeRaw(TERMINAL.has(row.status) ? withEvent(update, row, ledger) : update);
  return moved === 1 ? row : null;
}
