import type { z } from "zod";
import type { PrismaClient } from "@/lib/db";
import { applyPolicy } from "./apply-policy";
import type { registerPolicyBodySchema } from "./schemas";

/**
 * The SDKs' plain-English registration (§5) as a policy document: the rules become
 * its instructions, the tools its globs. Stored as the JSON text it was turned into.
 */
export function registerPolicy(prisma: PrismaClient, tenantId: string, apiKeyId: string, body: z.output<typeof registerPolicyBodySchema>) {
  const document = {
    policy_id: body.policy_id,
    description: body.description,
    tools: body.tools,
    rules: [],
    ...(body.rules.length > 0 ? { instructions: body.rules.join("\n") } : {}),
  };
  return applyPolicy(prisma, tenantId, JSON.stringify(document, null, 2), `api_key:${apiKeyId}`);
}
