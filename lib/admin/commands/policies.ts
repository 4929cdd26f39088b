import { z } from "zod";
import { applyPolicy } from "@/lib/policy/apply-policy";
import { listPolicies, showPolicy } from "@/lib/policy/list-policies";
import { replay, replayBodySchema } from "@/lib/policy/replay";
import { simulate, simulateBodySchema } from "@/lib/policy/simulate";
import { activateVersion, diffVersions, listVersions } from "@/lib/policy/versions";
import { findTenantOrThrow } from "@/lib/tenants/tenants";
import { command, tenantRef } from "./command";

/** Policies: versions, simulation and replay. */
export const COMMANDS = {
  "policy.apply": command(z.object({ tenant: tenantRef, source: z.string().min(1).max(1_000_000) }), async (prisma, input) =>
    applyPolicy(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.source, "person:cli"),
  ),
  "policy.versions": command(z.object({ tenant: tenantRef, policy: z.string().min(1).max(100) }), async (prisma, input) =>
    listVersions(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.policy),
  ),
  "policy.diff": command(z.object({ tenant: tenantRef, from: z.string().min(1), to: z.string().min(1) }), async (prisma, input) =>
    diffVersions(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.from, input.to),
  ),
  "policy.activate": command(z.object({ tenant: tenantRef, version: z.string().min(1) }), async (prisma, input) =>
    activateVersion(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.version),
  ),
  "policy.simulate": command(z.object({ tenant: tenantRef, body: simulateBodySchema }), async (prisma, input) =>
    simulate(prisma, await findTenantOrThrow(prisma, input.tenant), input.body),
  ),
  "policy.replay": command(z.object({ tenant: tenantRef, body: replayBodySchema }), async (prisma, input) =>
    replay(prisma, await findTenantOrThrow(prisma, input.tenant), input.body),
  ),
  "policy.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listPolicies(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "policy.show": command(z.object({ tenant: tenantRef, slug: z.string().min(1).max(100) }), async (prisma, input) =>
    showPolicy(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.slug),
  ),
};
