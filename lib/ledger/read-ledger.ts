import { columnsOf, Prisma, query, type PrismaClient } from "@/lib/db";
import type { LedgerCheckpoint } from "@/lib/db/generated/client";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";
import { SIGNATURE_ALGORITHM } from "./sign";
import { storedPaths } from "./stored-paths";
import { cosignedNote } from "./checkpoint-note";
import type { Checkpoint, ConsistencyProof, InclusionProof, KeyVersion, LedgerEntry, ProofBundle } from "@/sdk/typescript/src/ledger/types";

// The ledger as served (wire protocol §6): entries, checkpoints, proofs and bundles.

export const MAX_PAGE = 500;

interface EntryRow {
  seq: bigint;
  entry: string;
  leafIndex: bigint | null;
  checkpointId: number | null;
}

function entryJson(row: EntryRow): LedgerEntry {
  return {
    ...(JSON.parse(row.entry) as Omit<LedgerEntry, "seq">),
    seq: Number(row.seq),
    leaf_index: row.leafIndex === null ? null : Number(row.leafIndex),
    checkpoint_id: row.checkpointId,
  };
}

/** A checkpoint row: Prisma's model, or the same columns read through to_jsonb (treeSize a number). */
export type CheckpointRow = Omit<LedgerCheckpoint, "treeSize" | "createdAt"> & { treeSize: bigint | number };

export function checkpointJson(row: CheckpointRow): Checkpoint {
  return {
    checkpoint_id: row.checkpointId,
    microblock_id: row.checkpointId,
    tree_size: Number(row.treeSize),
    root_hash: row.rootHash,
    checkpoint_hash: row.checkpointHash,
    prev_checkpoint_hash: row.prevCheckpointHash,
    signature_algorithm: SIGNATURE_ALGORITHM,
    signer_key_id: row.signerKeyId,
    checkpoint_signature: row.signature,
    checkpoint_payload: row.payload,
    signed_at: row.signedAt,
    mmd_seconds: row.mmdSeconds,
    export_target: "",
    export_uri: "",
    export_status: "",
  };
}

// The first checkpoint covering entry e. Tree sizes grow with checkpoint ids (the sequencer
// signs only a larger tree), so the smallest covering tree is the earliest checkpoint, and
// the (tenantId, treeSize) index finds it in one step however many checkpoints there are
// (coveredEntry below does the same).
const firstCovering = Prisma.sql`
  SELECT c."checkpointId" FROM "ledger_checkpoints" c
  WHERE c."tenantId" = e."tenantId" AND c."treeSize" > e."leafIndex"
  ORDER BY c."treeSize" LIMIT 1`;

// Lists hold the most recent N items in chain order, the newest last: the public TS client
// hands the server's order to its users, who take [0] as the oldest and .at(-1) as the newest.

/** The most recent `limit` entries (before `before`, a seq, when paging back), ascending by seq.
 * `seq` is the tenant's own numbering: the global append order would show other tenants' activity. */
export async function listEntries(prisma: PrismaClient, tenantId: string, limit: number, before?: number): Promise<LedgerEntry[]> {
  const rows = await prisma.$queryRaw<EntryRow[]>`
    SELECT e."tenantSeq" AS "seq", e."entry", e."leafIndex", (${firstCovering}) AS "checkpointId"
    FROM "ledger_events" e
    WHERE e."tenantId" = ${tenantId} AND e."tenantSeq" < ${BigInt(before ?? Number.MAX_SAFE_INTEGER)}
    ORDER BY e."tenantSeq" DESC LIMIT ${limit}`;
  return rows.map(entryJson).reverse();
}

/** The most recent `limit` checkpoints (before `before`, a checkpoint id, when paging back), ascending by id. */
export async function listCheckpoints(prisma: PrismaClient, tenantId: string, limit: number, before?: number): Promise<Checkpoint[]> {
  const rows = await prisma.ledgerCheckpoint.findMany({
    where: { tenantId, ...(before ? { checkpointId: { lt: before } } : {}) },
    orderBy: { checkpointId: "desc" },
    take: limit,
  });
  return rows.map(checkpointJson).reverse();
}

const notYet = () => {
  const { LEDGIX_SEQUENCER_INTERVAL_MS, LEDGIX_CHECKPOINT_INTERVAL_MS } = env();
  const seconds = Math.max(1, Math.ceil((LEDGIX_SEQUENCER_INTERVAL_MS + LEDGIX_CHECKPOINT_INTERVAL_MS) / 1000));
  return new ApiError("not_yet_integrated", `The entry is not under a signed checkpoint yet; retry in ${seconds} s.`, undefined, {
    "Retry-After": String(seconds),
  });
};

/** A ledger key as coveredEntry reads it, times in epoch milliseconds. */
interface KeyRow {
  id: string;
  publicJwk: unknown;
  createdAtMs: number;
  retiredAtMs: number | null;
}

interface CoveredRow {
  seq: bigint | null;
  entry: string | null;
  leafIndex: bigint | null;
  checkpointId: number | null;
  first: CheckpointRow | null;
  latest: CheckpointRow | null;
  keys: KeyRow[] | null;
  /** The witness cosignature lines of the latest checkpoint. */
  cosignatures: string[];
}

/** Ledger keys as key versions (§6.4), with their activation and retirement times. */
const keyVersion = (row: KeyRow): KeyVersion => ({
  key_id: row.id,
  algorithm: SIGNATURE_ALGORITHM,
  public_jwk: Buffer.from(JSON.stringify(row.publicJwk)).toString("base64url"),
  active_from: new Date(row.createdAtMs).toISOString(),
  ...(row.retiredAtMs === null ? {} : { retired_at: new Date(row.retiredAtMs).toISOString() }),
});

const epochMs = (column: Prisma.Sql) => Prisma.sql`floor(extract(epoch FROM ${column}) * 1000)`;

/**
 * A request's ledger entry, the checkpoint that first covered it, the latest one and the
 * keys that signed them, in one query: proofs are served on every audit, and each round
 * trip costs more than the proof itself. No row means no such request of the tenant.
 */
async function coveredEntry(prisma: PrismaClient, tenantId: string, requestId: string) {
  const [row] = await query<CoveredRow>(prisma, Prisma.sql`
    SELECT e."tenantSeq" AS "seq", e."entry", e."leafIndex", f."checkpointId", to_jsonb(f) AS "first", to_jsonb(l) AS "latest",
      (SELECT json_agg(json_build_object('id', k."id", 'publicJwk', k."publicJwk",
                'createdAtMs', ${epochMs(Prisma.sql`k."createdAt"`)}, 'retiredAtMs', ${epochMs(Prisma.sql`k."retiredAt"`)}) ORDER BY k."createdAt")
       FROM "signing_keys" k
       WHERE k."purpose" = 'ledger' AND k."id" IN (e."entry"::jsonb ->> 'receipt_key_id', f."signerKeyId", l."signerKeyId")) AS "keys",
      ARRAY(SELECT s."line" FROM "ledger_cosignatures" s
       WHERE s."tenantId" = l."tenantId" AND s."checkpointId" = l."checkpointId" ORDER BY s."witnessId") AS "cosignatures"
    FROM "clearance_requests" r
    LEFT JOIN "ledger_events" e ON e."tenantId" = r."tenantId" AND e."requestId" = r."id"
    LEFT JOIN LATERAL (
      SELECT * FROM "ledger_checkpoints" c WHERE c."tenantId" = e."tenantId" AND c."treeSize" > e."leafIndex"
      ORDER BY c."treeSize" LIMIT 1
    ) f ON TRUE
    LEFT JOIN LATERAL (
      SELECT * FROM "ledger_checkpoints" c WHERE c."tenantId" = r."tenantId" ORDER BY c."checkpointId" DESC LIMIT 1
    ) l ON f."checkpointId" IS NOT NULL
    WHERE r."id" = ${requestId} AND r."tenantId" = ${tenantId}`);
  if (!row) throw new ApiError("request_not_found", `No clearance request ${requestId.slice(0, 100)}.`);
  if (row.seq === null || row.entry === null) {
    throw new ApiError("ledger_entry_not_found", `Request ${requestId} has no ledger entry: it is not decided yet.`);
  }
  if (row.leafIndex === null || row.checkpointId === null || !row.first || !row.latest) throw notYet();
  const entry = entryJson({ seq: row.seq, entry: row.entry, leafIndex: row.leafIndex, checkpointId: row.checkpointId });
  return { entry, first: row.first, latest: row.latest, keys: (row.keys ?? []).map(keyVersion), cosignatures: row.cosignatures };
}

function inclusionAgainst(entry: LedgerEntry, checkpoint: CheckpointRow, path: string[]): InclusionProof {
  return {
    event_uuid: entry.event_uuid,
    request_id: entry.request_id,
    event_hash: entry.event_hash,
    leaf_hash: entry.leaf_hash,
    leaf_index: entry.leaf_index!,
    tree_size: Number(checkpoint.treeSize),
    path,
    checkpoint: checkpointJson(checkpoint),
  };
}

const inclusionSpec = (entry: LedgerEntry, checkpoint: CheckpointRow) => ({
  inclusion: { index: entry.leaf_index!, size: Number(checkpoint.treeSize) },
});
const consistencySpec = (from: CheckpointRow, to: CheckpointRow) => ({
  consistency: { oldSize: Number(from.treeSize), newSize: Number(to.treeSize) },
});

/** Inclusion of a request's entry in the latest checkpoint. */
export async function inclusionProof(prisma: PrismaClient, tenantId: string, requestId: string): Promise<InclusionProof> {
  const { entry, latest } = await coveredEntry(prisma, tenantId, requestId);
  const [path] = await storedPaths(prisma, tenantId, [inclusionSpec(entry, latest)]);
  return inclusionAgainst(entry, latest, path!);
}

export async function consistencyProof(prisma: PrismaClient, tenantId: string, fromId: number, toId: number): Promise<ConsistencyProof> {
  if (fromId > toId) {
    throw new ApiError("invalid_request", `\`from\` (checkpoint ${fromId}) is newer than \`to\` (checkpoint ${toId}); ask for the older one first.`);
  }
  const rows = await query<CheckpointRow>(prisma, Prisma.sql`
    SELECT ${columnsOf(Prisma.LedgerCheckpointScalarFieldEnum, "c")}
    FROM "ledger_checkpoints" c WHERE c."tenantId" = ${tenantId} AND c."checkpointId" IN (${fromId}, ${toId})`);
  const byId = (checkpointId: number) => {
    const row = rows.find((r) => r.checkpointId === checkpointId);
    if (!row) throw new ApiError("checkpoint_not_found", `No checkpoint ${checkpointId}.`);
    return row;
  };
  const [from, to] = [byId(fromId), byId(toId)];
  const [path] = await storedPaths(prisma, tenantId, [consistencySpec(from, to)]);
  return { from_checkpoint: checkpointJson(from), to_checkpoint: checkpointJson(to), path: path! };
}

/**
 * Everything an auditor needs to check one decision offline (§6.4): the entry, its
 * inclusion in the checkpoint that first covered it, that checkpoint's consistency with
 * the latest one, and the keys that signed them.
 */
export async function proofBundle(prisma: PrismaClient, tenantId: string, requestId: string): Promise<ProofBundle> {
  const { entry, first, latest, keys, cosignatures } = await coveredEntry(prisma, tenantId, requestId);
  const later = latest.checkpointId > first.checkpointId;
  const [inclusionPath, consistencyPath] = await storedPaths(prisma, tenantId, [
    inclusionSpec(entry, first),
    ...(later ? [consistencySpec(first, latest)] : []),
  ]);
  const inclusion = inclusionAgainst(entry, first, inclusionPath!);
  const consistency: ConsistencyProof | undefined = later
    ? { from_checkpoint: checkpointJson(first), to_checkpoint: checkpointJson(latest), path: consistencyPath! }
    : undefined;
  const note = await cosignedNote(prisma, tenantId, latest, cosignatures);
  return { event: entry, inclusion, ...(consistency ? { consistency } : {}), keys, checkpoint_note: note };
}
