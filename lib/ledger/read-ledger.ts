import type { PrismaClient } from "@/lib/db";
import type { LedgerCheckpoint } from "@/lib/db/generated/client";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";
import { getRequestOrThrow } from "@/lib/clearance/get-request";
import { SIGNATURE_ALGORITHM } from "./sign";
import { storedConsistencyPath, storedInclusionPath } from "./stored-paths";
import type { Checkpoint, ConsistencyProof, InclusionProof, KeyVersion, LedgerEntry, ProofBundle } from "./types";

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

export function checkpointJson(row: LedgerCheckpoint): Checkpoint {
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

/** The most recent `limit` entries (before `before`, a seq, when paging back). */
export async function listEntries(prisma: PrismaClient, tenantId: string, limit: number, before?: number): Promise<LedgerEntry[]> {
  const rows = await prisma.$queryRaw<EntryRow[]>`
    SELECT e."seq", e."entry", e."leafIndex",
      (SELECT min(c."checkpointId") FROM "ledger_checkpoints" c WHERE c."tenantId" = e."tenantId" AND c."treeSize" > e."leafIndex") AS "checkpointId"
    FROM "ledger_events" e
    WHERE e."tenantId" = ${tenantId} AND e."seq" < ${BigInt(before ?? Number.MAX_SAFE_INTEGER)}
    ORDER BY e."seq" DESC LIMIT ${limit}`;
  return rows.map(entryJson);
}

/** The most recent `limit` checkpoints (before `before`, a checkpoint id, when paging back). */
export async function listCheckpoints(prisma: PrismaClient, tenantId: string, limit: number, before?: number): Promise<Checkpoint[]> {
  const rows = await prisma.ledgerCheckpoint.findMany({
    where: { tenantId, ...(before ? { checkpointId: { lt: before } } : {}) },
    orderBy: { checkpointId: "desc" },
    take: limit,
  });
  return rows.map(checkpointJson);
}

async function checkpointOrThrow(prisma: PrismaClient, tenantId: string, checkpointId: number) {
  const row = await prisma.ledgerCheckpoint.findUnique({ where: { tenantId_checkpointId: { tenantId, checkpointId } } });
  if (!row) throw new ApiError("checkpoint_not_found", `No checkpoint ${checkpointId}.`);
  return row;
}

const notYet = () => {
  const { LEDGIX_SEQUENCER_INTERVAL_MS, LEDGIX_CHECKPOINT_INTERVAL_MS } = env();
  const seconds = Math.max(1, Math.ceil((LEDGIX_SEQUENCER_INTERVAL_MS + LEDGIX_CHECKPOINT_INTERVAL_MS) / 1000));
  return new ApiError("not_yet_integrated", `The entry is not under a signed checkpoint yet; retry in ${seconds} s.`, undefined, {
    "Retry-After": String(seconds),
  });
};

/** A request's ledger entry and the checkpoint that first covered it. */
async function coveredEntry(prisma: PrismaClient, tenantId: string, requestId: string) {
  await getRequestOrThrow(prisma, requestId, tenantId);
  const [row] = await prisma.$queryRaw<EntryRow[]>`
    SELECT e."seq", e."entry", e."leafIndex",
      (SELECT min(c."checkpointId") FROM "ledger_checkpoints" c WHERE c."tenantId" = e."tenantId" AND c."treeSize" > e."leafIndex") AS "checkpointId"
    FROM "ledger_events" e WHERE e."tenantId" = ${tenantId} AND e."requestId" = ${requestId}`;
  if (!row) throw new ApiError("ledger_entry_not_found", `Request ${requestId} has no ledger entry: it is not decided yet.`);
  if (row.leafIndex === null || row.checkpointId === null) throw notYet();
  return { entry: entryJson(row), first: await checkpointOrThrow(prisma, tenantId, row.checkpointId) };
}

async function inclusionAgainst(prisma: PrismaClient, tenantId: string, entry: LedgerEntry, checkpoint: LedgerCheckpoint): Promise<InclusionProof> {
  const size = Number(checkpoint.treeSize);
  return {
    event_uuid: entry.event_uuid,
    request_id: entry.request_id,
    event_hash: entry.event_hash,
    leaf_hash: entry.leaf_hash,
    leaf_index: entry.leaf_index!,
    tree_size: size,
    path: await storedInclusionPath(prisma, tenantId, entry.leaf_index!, size),
    checkpoint: checkpointJson(checkpoint),
  };
}

const latestCheckpoint = (prisma: PrismaClient, tenantId: string) =>
  prisma.ledgerCheckpoint.findFirstOrThrow({ where: { tenantId }, orderBy: { checkpointId: "desc" } });

/** Inclusion of a request's entry in the latest checkpoint. */
export async function inclusionProof(prisma: PrismaClient, tenantId: string, requestId: string): Promise<InclusionProof> {
  const { entry } = await coveredEntry(prisma, tenantId, requestId);
  return inclusionAgainst(prisma, tenantId, entry, await latestCheckpoint(prisma, tenantId));
}

export async function consistencyProof(prisma: PrismaClient, tenantId: string, fromId: number, toId: number): Promise<ConsistencyProof> {
  if (fromId > toId) throw new ApiError("invalid_request", "`from` must not be a later checkpoint than `to`.");
  const [from, to] = await Promise.all([checkpointOrThrow(prisma, tenantId, fromId), checkpointOrThrow(prisma, tenantId, toId)]);
  return {
    from_checkpoint: checkpointJson(from),
    to_checkpoint: checkpointJson(to),
    path: await storedConsistencyPath(prisma, tenantId, Number(from.treeSize), Number(to.treeSize)),
  };
}

/** Ledger keys as key versions (§6.4), with their activation and retirement times. */
export async function keyVersions(prisma: PrismaClient, ids: string[]): Promise<KeyVersion[]> {
  const rows = await prisma.signingKey.findMany({ where: { id: { in: [...new Set(ids)] }, purpose: "ledger" }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => ({
    key_id: row.id,
    algorithm: SIGNATURE_ALGORITHM,
    public_jwk: Buffer.from(JSON.stringify(row.publicJwk)).toString("base64url"),
    active_from: row.createdAt.toISOString(),
    ...(row.retiredAt ? { retired_at: row.retiredAt.toISOString() } : {}),
  }));
}

/**
 * Everything an auditor needs to check one decision offline (§6.4): the entry, its
 * inclusion in the checkpoint that first covered it, that checkpoint's consistency with
 * the latest one, and the keys that signed them.
 */
export async function proofBundle(prisma: PrismaClient, tenantId: string, requestId: string): Promise<ProofBundle> {
  const { entry, first } = await coveredEntry(prisma, tenantId, requestId);
  const latest = await latestCheckpoint(prisma, tenantId);
  const later = latest.checkpointId > first.checkpointId;
  const [inclusion, consistency] = await Promise.all([
    inclusionAgainst(prisma, tenantId, entry, first),
    later ? consistencyProof(prisma, tenantId, first.checkpointId, latest.checkpointId) : undefined,
  ]);
  const signers = [entry.receipt_key_id, first.signerKeyId, ...(later ? [latest.signerKeyId] : [])];
  return { event: entry, inclusion, ...(consistency ? { consistency } : {}), keys: await keyVersions(prisma, signers) };
}
