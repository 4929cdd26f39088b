import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Prisma, PrismaClient } from "@/lib/db";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { newId } from "@/lib/ids";
import { nodeCrypto } from "@/sdk/typescript/src/ledger/node-crypto";
import { runSync } from "@/sdk/typescript/src/ledger/steps";
import { witnessKey, type WitnessKey } from "@/sdk/typescript/src/ledger/cosignatures";

// The witnesses a tenant asks to cosign its checkpoints (C2SP tlog-witness). Operators add
// them with the CLI; the job in cosign.ts talks to them.

export const MAX_WITNESSES = 16;

/** A witness verifier key, parsed and its key id checked. */
export function parseWitnessKey(vkey: string): WitnessKey {
  return runSync(witnessKey(vkey), nodeCrypto);
}

export const witnessInputSchema = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000).describe("The witness's submission prefix; checkpoints are POSTed to <url>/add-checkpoint"),
  verifierKey: z.string().max(500).superRefine((vkey, ctx) => {
    try {
      parseWitnessKey(vkey);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }).describe("The witness's C2SP verifier key: <name>+<hex key id>+base64(0x04 ‖ Ed25519 public key)"),
});

/** One job per witness at a time, run in order (its own queue): a slow witness delays only itself. */
export async function enqueueCosigning(tx: Prisma.TransactionClient | PrismaClient, tenantId: string, witnessIds: readonly string[]): Promise<void> {
  for (const witnessId of witnessIds) {
    await enqueueJob(tx, "ledger:cosign", { tenantId, witnessId }, { jobKey: `ledger:cosign:${witnessId}`, queueName: `ledger:cosign:${witnessId}`, maxAttempts: 6 });
  }
}

export async function addWitness(prisma: PrismaClient, tenantId: string, input: z.output<typeof witnessInputSchema>) {
  if ((await prisma.ledgerWitness.count({ where: { tenantId } })) >= MAX_WITNESSES) {
    throw new ApiError("limit_exceeded", `A tenant has at most ${MAX_WITNESSES} witnesses.`);
  }
  const { name } = parseWitnessKey(input.verifierKey);
  const witness = await prisma.ledgerWitness.create({ data: { id: newId("wit"), tenantId, name, url: input.url, verifierKey: input.verifierKey.trim() } });
  // The newest checkpoint goes to it at once; before the first one the sequencer will send it.
  if (await prisma.ledgerCheckpoint.findFirst({ where: { tenantId }, select: { checkpointId: true } })) await enqueueCosigning(prisma, tenantId, [witness.id]);
  return { id: witness.id, name };
}

export type WitnessState = "waiting" | "cosigning" | "failing";

/** The tenant's witnesses as the CLI and the Ledger screen show them. */
export async function listWitnesses(prisma: PrismaClient, tenantId: string) {
  const rows = await prisma.ledgerWitness.findMany({ where: { tenantId }, orderBy: { createdAt: "asc" } });
  return rows.map((w) => ({
    id: w.id,
    name: w.name,
    url: w.url,
    state: (w.lastError ? "failing" : w.cosignedSize === null ? "waiting" : "cosigning") as WitnessState,
    cosignedSize: w.cosignedSize === null ? null : Number(w.cosignedSize),
    cosignedAt: w.cosignedAt,
    lastError: w.lastError,
    lastAttemptAt: w.lastAttemptAt,
    verifierKey: w.verifierKey,
  }));
}

/**
 * Why no checkpoint of the tenant can be served, when its quorum asks for more cosignatures
 * than it has witnesses; else undefined. The checkpoint endpoints then answer
 * not_yet_integrated until enough witnesses are added.
 */
export async function unreachableQuorum(prisma: PrismaClient, tenant: { id: string; witnessQuorum: number }): Promise<string | undefined> {
  const witnesses = await prisma.ledgerWitness.count({ where: { tenantId: tenant.id } });
  if (tenant.witnessQuorum <= witnesses) return undefined;
  return `the witness quorum is ${tenant.witnessQuorum} but the tenant has ${witnesses} witness${witnesses === 1 ? "" : "es"}: ` +
    "no checkpoint is served until enough of them cosign (ledgix witness add, or a lower --witness-quorum)";
}

export async function removeWitness(prisma: PrismaClient, tenantId: string, id: string) {
  const { count } = await prisma.ledgerWitness.deleteMany({ where: { id, tenantId } });
  if (count === 0) throw new ApiError("witness_not_found", `No witness ${id.slice(0, 100)}.`);
  return { id };
}
