import { z } from "zod";
import { checkpointVerifierKey } from "@/lib/ledger/checkpoint-note";
import { addWitness, listWitnesses, removeWitness, unreachableQuorum, witnessInputSchema } from "@/lib/ledger/witnesses";
import { findTenantOrThrow } from "@/lib/tenants/tenants";
import { command, tenantRef } from "./command";

/** The tenant's ledger and the witnesses that cosign its checkpoints. */
export const COMMANDS = {
  "ledger.verifier-key": command(z.object({ tenant: tenantRef }), async (prisma, input) => ({
    verifierKey: await checkpointVerifierKey(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  })),
  "witness.add": command(witnessInputSchema.extend({ tenant: tenantRef }), async (prisma, { tenant, ...input }) =>
    addWitness(prisma, (await findTenantOrThrow(prisma, tenant)).id, input)),
  "witness.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listWitnesses(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "witness.remove": command(z.object({ tenant: tenantRef, id: z.string().min(1).max(100) }), async (prisma, input) => {
    const tenant = await findTenantOrThrow(prisma, input.tenant);
    const removed = await removeWitness(prisma, tenant.id, input.id);
    return { ...removed, warning: await unreachableQuorum(prisma, tenant) };
  }),
};
