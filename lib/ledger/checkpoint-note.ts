import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { listCheckpoints } from "./read-ledger";
import { checkpointNoteBody, noteVerifierKey, signNote } from "./signed-note";

// A tenant's log as transparency-log witnesses see it: C2SP checkpoint notes under the
// key name `<LEDGIX_LOG_ORIGIN>/<tenant id>`, signed by the active ledger key.

const originOf = (tenantId: string) => `${env().LEDGIX_LOG_ORIGIN}/${tenantId}`;

/** The latest checkpoint as a signed note. */
export async function latestCheckpointNote(prisma: PrismaClient, tenantId: string): Promise<string> {
  const [latest] = await listCheckpoints(prisma, tenantId, 1);
  if (!latest) throw new ApiError("not_yet_integrated", "The ledger has no signed checkpoint yet.");
  const origin = originOf(tenantId);
  const body = checkpointNoteBody({ origin, treeSize: latest.tree_size, rootHash: latest.root_hash });
  return signNote(body, origin, (await activeSigningKey(prisma, "ledger")).privateKey);
}

/** The verifier key a witness is configured with; it changes when the ledger key is rotated. */
export async function checkpointVerifierKey(prisma: PrismaClient, tenantId: string): Promise<string> {
  return noteVerifierKey(originOf(tenantId), (await activeSigningKey(prisma, "ledger")).privateKey);
}
