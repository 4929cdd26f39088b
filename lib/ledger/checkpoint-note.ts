import { ApiError } from "@/lib/api/errors";
import { Prisma, query, type PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { checkpointNoteBody, noteVerifierKey, signNote } from "./signed-note";

// A tenant's log as transparency-log witnesses see it: C2SP checkpoint notes under the
// key name `<LEDGIX_LOG_ORIGIN>/<tenant id>`, signed by the active ledger key, followed by
// every witness cosignature stored for that checkpoint.

const originOf = (tenantId: string) => `${env().LEDGIX_LOG_ORIGIN}/${tenantId}`;

export interface NoteCheckpoint {
  checkpointId: number;
  treeSize: bigint | number;
  rootHash: string;
}

// Every proof bundle and checkpoint request carries a note, and a checkpoint's note never
// changes while the key does not (Ed25519 is deterministic): sign each once, not per request.
const signedNotes = new Map<string, string>();
const SIGNED_NOTES_KEPT = 1000;

/** The checkpoint's note signed by the log alone: what is sent to witnesses. */
export async function logSignedNote(prisma: PrismaClient, tenantId: string, checkpoint: NoteCheckpoint): Promise<string> {
  const key = await activeSigningKey(prisma, "ledger");
  const cacheKey = `${tenantId}:${checkpoint.checkpointId}:${checkpoint.treeSize}:${checkpoint.rootHash}:${key.id}`;
  let note = signedNotes.get(cacheKey);
  if (note === undefined) {
    const origin = originOf(tenantId);
    note = signNote(checkpointNoteBody({ origin, treeSize: Number(checkpoint.treeSize), rootHash: checkpoint.rootHash }), origin, key.privateKey);
    if (signedNotes.size >= SIGNED_NOTES_KEPT) signedNotes.delete(signedNotes.keys().next().value!);
    signedNotes.set(cacheKey, note);
  }
  return note;
}

type CosignedRow = NoteCheckpoint & { lines: string[] };

const COSIGNATURE_LINES = Prisma.sql`ARRAY(SELECT s."line" FROM "ledger_cosignatures" s
  WHERE s."tenantId" = c."tenantId" AND s."checkpointId" = c."checkpointId" ORDER BY s."witnessId") AS "lines"`;

/** A checkpoint's note: the log's signature, then the witnesses' cosignature lines. */
export async function cosignedNote(prisma: PrismaClient, tenantId: string, checkpoint: NoteCheckpoint, lines: readonly string[]): Promise<string> {
  return (await logSignedNote(prisma, tenantId, checkpoint)) + lines.map((line) => `${line}\n`).join("");
}

/**
 * The checkpoint every checkpoint endpoint serves: the newest one cosigned by at least
 * `quorum` witnesses (the newest of all when 0), so a client that requires that quorum is
 * never handed a checkpoint the witnesses have not caught up with yet. The cosignature index
 * is walked from the newest checkpoint back to the first with enough of them.
 */
export async function servedCheckpointNote(prisma: PrismaClient, tenant: { id: string; witnessQuorum: number }): Promise<string> {
  const [row] = tenant.witnessQuorum === 0
    ? await query<CosignedRow>(prisma, Prisma.sql`
        SELECT c."checkpointId", c."treeSize", c."rootHash", ${COSIGNATURE_LINES} FROM "ledger_checkpoints" c
        WHERE c."tenantId" = ${tenant.id} ORDER BY c."checkpointId" DESC LIMIT 1`)
    : await query<CosignedRow>(prisma, Prisma.sql`
        SELECT c."checkpointId", c."treeSize", c."rootHash", ${COSIGNATURE_LINES} FROM "ledger_checkpoints" c
        WHERE c."tenantId" = ${tenant.id} AND c."checkpointId" = (
          SELECT s."checkpointId" FROM "ledger_cosignatures" s WHERE s."tenantId" = ${tenant.id}
          GROUP BY s."checkpointId" HAVING count(*) >= ${tenant.witnessQuorum} ORDER BY s."checkpointId" DESC LIMIT 1)`);
  if (!row) {
    throw new ApiError("not_yet_integrated", tenant.witnessQuorum === 0
      ? "The ledger has no signed checkpoint yet."
      : `No checkpoint has the ${tenant.witnessQuorum} witness cosignature(s) the tenant's quorum asks for yet.`);
  }
  return cosignedNote(prisma, tenant.id, row, row.lines);
}

/** The verifier key a witness is configured with; it changes when the ledger key is rotated. */
export async function checkpointVerifierKey(prisma: PrismaClient, tenantId: string): Promise<string> {
  return noteVerifierKey(originOf(tenantId), (await activeSigningKey(prisma, "ledger")).privateKey);
}
