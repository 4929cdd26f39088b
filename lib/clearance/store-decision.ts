import { execute, type PrismaClient } from "@/lib/db";
import { Prisma, type ClearanceRequest, type Tenant } from "@/lib/db/generated/client";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { groupCommit } from "@/lib/db/group-commit";
import { decisionEntry } from "@/lib/ledger/append-event";
import type { LedgerEntry } from "@/sdk/typescript/src/ledger/types";
import { decisionNotifyJob } from "@/lib/notify/notify-event";
import { recordDecision } from "@/lib/metrics/registry";
import type { ConditionInput } from "@/lib/policy/condition";
import type { Verdict } from "@/lib/policy/evaluate";
import { withLimits, type Explanation, type LimitCheck as CheckedLimit } from "@/lib/policy/explanation";
import { exceededLimit, limitAmounts, type Limit, type LimitScope } from "@/lib/policy/limits";
import { claimCoveringGrant } from "@/lib/grants/grants";
import { inSpan } from "@/lib/telemetry/spans";
import { decisionFields, standingApprovalFields } from "./decision-fields";
import { reviewJobStatements } from "./review-schedule";
import { traceReviewWait } from "./trace-clearance";
import { decisionIssuances } from "./token-issuance";

// The one way a decision is stored. Read top to bottom:
//   1. verdictDecision turns a policy verdict into the columns to store, computed once,
//      and the limits they must fit within;
//   2. storeDecision writes them: the request row and, when the decision is terminal,
//      its ledger event (which carries the signed receipt) in ONE SQL statement. One
//      statement is atomic on its own, so no decision reaches a client before its event
//      is durable. Concurrent new decisions share statements (group commit).
//   3. A decision under limits, or with statements that must commit with it (`alongside`,
//      e.g. the jobs it triggers), or a check that must hold when it commits (`guard`, e.g.
//      a mint's token allowance), is written in a transaction instead: limits are checked
//      there under the rule's lock.

export type ClearanceStatus = "processing" | "pending_review" | "approved" | "denied";

const TERMINAL = new Set<string>(["approved", "denied"]);

/** A new request's columns before its decision: these, and any others (the rest take their defaults). */
export type NewRequest = Pick<
  ClearanceRequest,
  "id" | "tenantId" | "agentId" | "sessionId" | "toolName" | "toolArgs" | "context" | "rawBody" | "toolArgsHash"
> &
  Partial<ClearanceRequest>;

/** Where a decision goes: a new request row, or an existing row that is still in one of `from`. */
export type DecisionTarget = { insert: NewRequest } | { settle: ClearanceRequest; from: ClearanceStatus[] };

/** The columns a decision sets. */
export type DecisionColumns = Pick<ClearanceRequest, "status" | "decisionStatus"> & Partial<ClearanceRequest>;

/** Limits an approval must fit within; a breach stores `onBreach`'s columns instead, or throws. */
export interface LimitCheck {
  scope: LimitScope;
  limits: Limit[];
  amounts: Record<string, number>;
  onBreach: (breach: string) => DecisionColumns;
}

export interface Decision {
  columns: DecisionColumns;
  limits?: LimitCheck;
  /** Statements committed in the same transaction as the decision, only if it is stored. */
  alongside?: (row: ClearanceRequest) => Prisma.Sql[];
  /** Run first in the decision's transaction (e.g. to check an allowance under a lock); throws to store nothing. */
  guard?: (tx: Prisma.TransactionClient) => Promise<void>;
}

export const failedEvaluation = (error: unknown): Verdict => ({
  effect: "review",
  confidence: "none",
  reason: `The evaluation failed: ${(error as Error).message.split("\n")[0]}`,
  reasonCode: "policy_evaluation_error",
  ruleId: null,
});

const NO_TOKEN = { tokenJti: null, tokenKeyId: null, tokenIssuedAt: null, tokenExpiresAt: null };

/**
 * A verdict on a request as a decision. An allow under limits carries them: it stands
 * only if they still hold once the rule's lock is taken, else it is denied with the
 * rule's limit code. A limit sum that is not a number sends the request to a human.
 */
async function verdictDecision(
  prisma: PrismaClient,
  tenant: Tenant,
  target: DecisionTarget,
  input: ConditionInput,
  verdict: Verdict,
): Promise<Decision> {
  const request = "insert" in target ? target.insert : target.settle;
  const { limits } = verdict;
  const policySlug = request.policySlug ?? null;
  const columns = await decisionFields(prisma, tenant, verdict);
  // A request bound for a human that a live standing approval covers is approved under it:
  // one whose granter could have given the review this request asks for.
  const asked: Partial<ClearanceRequest> = columns;
  const review = { apiKeyId: request.apiKeyId ?? null, humanPrincipal: request.humanPrincipal ?? null, reviewQuorum: asked.reviewQuorum ?? 1, reviewerGroups: asked.reviewerGroups ?? [] };
  const grant = columns.status === "pending_review" ? await claimCoveringGrant(prisma, tenant.id, { ...request, ...review }, input) : null;
  if (grant) return { columns: await standingApprovalFields(prisma, tenant, columns, grant) };
  if (columns.status !== "approved" || !limits || !verdict.ruleId || !policySlug) return { columns };
  let amounts: Record<string, number>;
  try {
    amounts = limitAmounts(limits.limits, input);
  } catch (error) {
    return { columns: await decisionFields(prisma, tenant, failedEvaluation(error)) };
  }
  const scope = { tenantId: tenant.id, policySlug, ruleId: verdict.ruleId, agentId: request.agentId, sessionId: request.sessionId };
  const onBreach = (breach: string) => ({ ...columns, ...NO_TOKEN, status: "denied", decisionStatus: "denied", reason: breach, reasonCode: limits.reasonCode });
  return { columns, limits: { scope, limits: limits.limits, amounts, onBreach } };
}

/** A verdict, stored: `verdictDecision` then `storeDecision`. */
export async function storeVerdict(prisma: PrismaClient, tenant: Tenant, target: { insert: NewRequest }, input: ConditionInput, verdict: Verdict): Promise<ClearanceRequest>;
export async function storeVerdict(prisma: PrismaClient, tenant: Tenant, target: DecisionTarget, input: ConditionInput, verdict: Verdict): Promise<ClearanceRequest | null>;
export async function storeVerdict(prisma: PrismaClient, tenant: Tenant, target: DecisionTarget, input: ConditionInput, verdict: Verdict) {
  return storeDecision(prisma, tenant, target, await verdictDecision(prisma, tenant, target, input, verdict));
}

/** Stores a decision on a new request; returns the stored row. */
export function storeDecision(prisma: PrismaClient, tenant: LedgerTenant, target: { insert: NewRequest }, decision: Decision): Promise<ClearanceRequest>;
/**
 * Stores a decision on a request still in one of `from`; null when it no longer is
 * (someone else decided first): no decision is ever overwritten, no event written twice.
 */
export function storeDecision(prisma: PrismaClient, tenant: LedgerTenant, target: DecisionTarget, decision: Decision): Promise<ClearanceRequest | null>;
export function storeDecision(prisma: PrismaClient, tenant: LedgerTenant, target: DecisionTarget, decision: Decision) {
  const attributes = { "db.system.name": "postgresql", "db.operation.name": "insert" in target ? "INSERT" : "UPDATE", "ledgix.clearance.status": decision.columns.status };
  return inSpan("store_decision", attributes, async () => {
    const row = await writeDecision(prisma, tenant, target, decision);
    const endsReview = "settle" in target && target.settle.status === "pending_review";
    if (row) recordDecision(row, endsReview);
    if (row && endsReview) traceReviewWait(target.settle, row);
    return row;
  });
}

async function writeDecision(prisma: PrismaClient, tenant: LedgerTenant, target: DecisionTarget, decision: Decision): Promise<ClearanceRequest | null> {
  const ledger = await ledgerWriter(prisma, tenant);
  const { columns, limits } = decision;
  // A review's expiry (and escalation) commits with the request entering it.
  const alongside = columns.status === "pending_review"
    ? (row: ClearanceRequest) => [...(decision.alongside?.(row) ?? []), ...reviewJobStatements(row)]
    : decision.alongside;
  if (!limits && !alongside && !decision.guard) {
    if ("insert" in target) {
      const row = newRow(target.insert, columns);
      await batcher(prisma)({ row, entry: entryOf(row, ledger) });
      return row;
    }
    const { row, statement } = settleWrite(ledger, target, columns);
    return (await execute(prisma, statement)) === 1 ? row : null;
  }
  return prisma.$transaction(async (tx) => {
    await decision.guard?.(tx);
    const checked: CheckedLimit[] = [];
    const breach = limits ? await exceededLimit(tx, limits.scope, limits.limits, limits.amounts, checked) : null;
    const decided = !limits ? columns : breach ? limits.onBreach(breach) : { ...columns, limitAmounts: limits.amounts };
    // The explanation records the limits just checked, with their counts.
    const final = limits && decided.explanation
      ? { ...decided, explanation: withLimits(decided.explanation as unknown as Explanation, checked) as unknown as Prisma.JsonObject }
      : decided;
    const { row, statement } = "insert" in target ? insertWrite(ledger, target.insert, final) : settleWrite(ledger, target, final);
    // Each write affects one row when it stores the decision (the event's, or a pending
    // request's); an update whose request moved on affects none.
    if ((await tx.$executeRaw(statement)) !== 1) return null;
    for (const follow of alongside?.(row) ?? []) await tx.$executeRaw(follow);
    return row;
  });
}

/** What the ledger event needs of the tenant. */
export type LedgerTenant = Pick<Tenant, "ledgerCanonicalVersion">;

/** How a tenant's ledger events are written: its event layout and the current receipt key. */
interface LedgerWriter {
  canonicalVersion: number;
  signer: Awaited<ReturnType<typeof activeSigningKey>>;
}

const ledgerWriter = async (prisma: PrismaClient, tenant: LedgerTenant): Promise<LedgerWriter> => ({
  canonicalVersion: tenant.ledgerCanonicalVersion,
  signer: await activeSigningKey(prisma, "ledger"),
});

interface NewDecision {
  row: ClearanceRequest;
  /** Set for terminal decisions. */
  entry?: Omit<LedgerEntry, "seq">;
}

const COLUMNS = Object.values(Prisma.ClearanceRequestScalarFieldEnum);
const JSON_COLUMNS = new Set<string>(["toolArgs", "context", "limitAmounts", "explanation", "approvedArgs"] satisfies (keyof ClearanceRequest)[]);
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

const DEFAULTS = {
  apiKeyId: null, humanPrincipal: null, parentJti: null, confidenceBucket: "none", reason: "", reasonCode: null,
  policySlug: null, policyVersionId: null, policyContentHash: null, matchedRuleId: null, limitAmounts: null,
  reviewQuorum: null, reviewTimeoutSeconds: null, reviewDeadline: null, reviewerGroups: [], reviewEscalateAt: null, reviewEscalatedAt: null, originalRequestId: null, decidedAt: null, decidedBy: null,
  explanation: null, grantId: null, approvedArgs: null, approvedArgsHash: null, channel: "api", ...NO_TOKEN,
} satisfies Omit<ClearanceRequest, keyof NewRequest | "status" | "decisionStatus" | "createdAt">;

const defined = <T extends object>(values: T) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;

const entryOf = (row: ClearanceRequest, ledger: LedgerWriter) =>
  TERMINAL.has(row.status) ? decisionEntry(row, ledger.canonicalVersion, ledger.signer) : undefined;

// Each decision's notification job (lib/notify) is enqueued, and an approval's token
// recorded (token-issuance), by the statement that stores it: a crash between deciding and
// notifying cannot lose the notification.
function insertStatement(decisions: NewDecision[]): Prisma.Sql {
  const rows = decisions.map(({ row }) => Prisma.sql`(${Prisma.join(COLUMNS.map((column) => value(column, row[column])))})`);
  const requests = Prisma.sql`INSERT INTO "clearance_requests" (${Prisma.join(COLUMNS.map(name))}) VALUES ${Prisma.join(rows)}`;
  const events = decisions.flatMap(({ row, entry }) => (entry ? [Prisma.sql`(${eventValues(row, entry)})`] : []));
  const jobs = decisions.flatMap(({ row }) => decisionNotifyJob(row) ?? []);
  const issuances = decisionIssuances(decisions.map(({ row }) => row));
  const ledger = events.length === 0 ? null : Prisma.sql`INSERT INTO ${EVENT_COLUMNS} VALUES ${Prisma.join(events)}`;
  const writes = Prisma.join([Prisma.sql`requests AS (${requests})`, ...(issuances ? [Prisma.sql`issuances AS (${issuances})`] : [])]);
  // The statement affects one row per decision stored (its event's, or its job's).
  if (jobs.length === 0) return ledger ? Prisma.sql`WITH ${writes} ${ledger}` : requests;
  return Prisma.sql`WITH ${writes}${ledger ? Prisma.sql`, events AS (${ledger})` : Prisma.empty} SELECT ${Prisma.join(jobs)}`;
}

const newRow = (request: NewRequest, columns: DecisionColumns): ClearanceRequest =>
  ({ ...DEFAULTS, createdAt: new Date(), ...defined({ ...request, ...columns }) });

function insertWrite(ledger: LedgerWriter, request: NewRequest, columns: DecisionColumns) {
  const row = newRow(request, columns);
  return { row, statement: insertStatement([{ row, entry: entryOf(row, ledger) }]) };
}

function settleWrite(ledger: LedgerWriter, target: { settle: ClearanceRequest; from: ClearanceStatus[] }, columns: DecisionColumns) {
  const changes = defined(columns);
  const row: ClearanceRequest = { ...target.settle, ...changes };
  const set = Prisma.join(Object.entries(changes).map(([column, v]) => Prisma.sql`${name(column)} = ${value(column, v)}`));
  const update = Prisma.sql`UPDATE "clearance_requests" SET ${set}
    WHERE "id" = ${row.id} AND "tenantId" = ${row.tenantId} AND "status" IN (${Prisma.join(target.from)})`;
  const entry = entryOf(row, ledger);
  const job = decisionNotifyJob(row);
  if (!entry && !job) return { row, statement: update };
  // Selects one row per request updated: the statement affects 1 row when it decided.
  const event = entry ? Prisma.sql`, event AS (INSERT INTO ${EVENT_COLUMNS} SELECT ${eventValues(row, entry)} FROM request)` : Prisma.empty;
  const statement = Prisma.sql`WITH request AS (${update} RETURNING "id")${event} SELECT ${job ?? Prisma.sql`1`} FROM request`;
  return { row, statement };
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
