import type { PrismaClient } from "@/lib/db";
import type { LedgerWitness } from "@/lib/db/generated/client";
import { nodeCrypto } from "@/sdk/typescript/src/ledger/node-crypto";
import { runSync } from "@/sdk/typescript/src/ledger/steps";
import { cosignatureTime, splitNote } from "@/sdk/typescript/src/ledger/cosignatures";
import { logSignedNote } from "./checkpoint-note";
import { storedPaths } from "./stored-paths";
import { parseWitnessKey } from "./witnesses";

// One witness, one checkpoint (C2SP tlog-witness add-checkpoint): send the tenant's newest
// checkpoint with a consistency proof from the size the witness last held, verify the
// cosignature it returns and store it. Runs as the job "ledger:cosign", one queue per
// witness, so a witness that is down or slow delays nothing but itself.

const TIMEOUT_MS = 10_000;
const MAX_ERROR = 300;

/** Thrown so the job queue retries with backoff: the witness could not answer (network, 5xx, 429). */
class WitnessUnavailable extends Error {}

interface Attempt {
  status: number;
  contentType: string;
  body: string;
}

/** `old <size>`, the proof lines in base64, a blank line, then the signed checkpoint. */
async function addCheckpoint(prisma: PrismaClient, witness: LedgerWitness, note: string, size: number, oldSize: number): Promise<Attempt> {
  const [proof] = oldSize > 0 && oldSize < size
    ? await storedPaths(prisma, witness.tenantId, [{ consistency: { oldSize, newSize: size } }])
    : [[]];
  const lines = proof!.map((hash) => `${Buffer.from(hash, "hex").toString("base64")}\n`).join("");
  const url = new URL("add-checkpoint", witness.url.endsWith("/") ? witness.url : `${witness.url}/`);
  try {
    const res = await fetch(url, { method: "POST", body: `old ${oldSize}\n${lines}\n${note}`, signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.text() };
  } catch (error) {
    const { cause } = error as Error & { cause?: { code?: string } };
    throw new WitnessUnavailable(`${url.origin} unreachable: ${(error as Error).message}${cause?.code ? ` (${cause.code})` : ""}`);
  }
}

/** The witness's tree size from a 409's `text/x.tlog.size` body. */
function conflictSize(attempt: Attempt): number | undefined {
  const match = /^(0|[1-9]\d*)\n$/.exec(attempt.body);
  return attempt.contentType.startsWith("text/x.tlog.size") && match && Number.isSafeInteger(Number(match[1])) ? Number(match[1]) : undefined;
}

const summary = (attempt: Attempt) => `HTTP ${attempt.status}: ${attempt.body.trim().split("\n")[0]!.slice(0, 200) || "(empty)"}`;

async function recordError(prisma: PrismaClient, witness: LedgerWitness, error: string, knownSize?: number) {
  await prisma.ledgerWitness.update({
    where: { id: witness.id },
    data: { lastError: error.slice(0, MAX_ERROR), lastAttemptAt: new Date(), ...(knownSize === undefined ? {} : { knownSize }) },
  });
}

export async function requestCosignature(prisma: PrismaClient, { tenantId, witnessId }: { tenantId: string; witnessId: string }): Promise<void> {
  const witness = await prisma.ledgerWitness.findFirst({ where: { id: witnessId, tenantId } });
  if (!witness) return; // removed since the job was queued
  const checkpoint = await prisma.ledgerCheckpoint.findFirst({ where: { tenantId }, orderBy: { checkpointId: "desc" }, select: { checkpointId: true, treeSize: true, rootHash: true } });
  if (!checkpoint) return;
  const id = { tenantId_checkpointId_witnessId: { tenantId, checkpointId: checkpoint.checkpointId, witnessId } };
  if (await prisma.ledgerCosignature.findUnique({ where: id, select: { checkpointId: true } })) return;

  const size = Number(checkpoint.treeSize);
  const note = await logSignedNote(prisma, tenantId, checkpoint);
  const ahead = (held: number) => `the witness holds tree size ${held}, larger than the newest checkpoint's ${size}: it saw another history`;
  let oldSize = Number(witness.knownSize);
  if (oldSize > size) return recordError(prisma, witness, ahead(oldSize));
  let attempt: Attempt;
  try {
    attempt = await addCheckpoint(prisma, witness, note, size, oldSize);
    // The witness holds another size than we thought: ask once more, with a proof from its size.
    if (attempt.status === 409) {
      const held = conflictSize(attempt);
      if (held === undefined) return recordError(prisma, witness, `${summary(attempt)} (no text/x.tlog.size body)`);
      if (held > size) return recordError(prisma, witness, ahead(held), held);
      oldSize = held;
      attempt = await addCheckpoint(prisma, witness, note, size, oldSize);
    }
  } catch (error) {
    if (error instanceof WitnessUnavailable) await recordError(prisma, witness, error.message);
    throw error;
  }
  if (attempt.status >= 500 || attempt.status === 429) {
    await recordError(prisma, witness, summary(attempt));
    throw new WitnessUnavailable(`witness ${witness.name}: ${summary(attempt)}`);
  }
  // 400, 403, 404, 409 again, 422: the witness refuses this checkpoint. Shown, not retried:
  // the next checkpoint tries again.
  if (attempt.status !== 200) return recordError(prisma, witness, summary(attempt), attempt.status === 409 ? conflictSize(attempt) : oldSize);

  const key = parseWitnessKey(witness.verifierKey);
  const { body } = splitNote(note);
  for (const line of attempt.body.split("\n").filter(Boolean)) {
    let timestamp: number | undefined;
    try {
      const [signature] = splitNote(`${body}\n${line}\n`).signatures;
      timestamp = runSync(cosignatureTime(key, body, signature!), nodeCrypto);
    } catch (error) {
      return recordError(prisma, witness, `HTTP 200 with a bad cosignature: ${(error as Error).message}`, size);
    }
    if (timestamp === undefined) continue; // another key of the witness's: ignored, as the spec asks
    const now = new Date();
    await prisma.$transaction([
      prisma.ledgerCosignature.create({ data: { tenantId, checkpointId: checkpoint.checkpointId, witnessId, line, timestamp: BigInt(timestamp) } }),
      prisma.ledgerWitness.update({ where: { id: witnessId }, data: { knownSize: size, cosignedSize: size, cosignedAt: now, lastError: null, lastAttemptAt: now } }),
    ]);
    return;
  }
  await recordError(prisma, witness, `HTTP 200 without a cosignature by ${key.name} (key id ${Buffer.from(key.keyId).toString("hex")})`, size);
}
