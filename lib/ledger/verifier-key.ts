import { createPublicKey } from "node:crypto";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { noteVerifierKey } from "./signed-note";

/** The tenant log's origin and the C2SP verifier key witnesses configure for it. */
export async function tenantVerifierKey(prisma: PrismaClient, tenantId: string) {
  const origin = `${env().LEDGIX_LOG_ORIGIN}/${tenantId}`;
  const { privateKey } = await activeSigningKey(prisma, "ledger");
  return { origin, verifierKey: noteVerifierKey(origin, createPublicKey(privateKey)) };
}
