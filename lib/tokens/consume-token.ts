import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { TokenConsumption } from "@/lib/db/generated/client";
import { consumedTokenSchema, type ConsumedToken } from "./schemas";
import { verifyClearanceToken } from "./verify-token";

export const renderConsumption = (row: TokenConsumption): ConsumedToken =>
  consumedTokenSchema.parse({
    jti: row.jti,
    request_id: row.requestId,
    tool: row.tool,
    consumer: row.consumer,
    consumed_at: row.consumedAt.toISOString(),
    execution_status: row.executionStatus,
    executed_at: row.executedAt?.toISOString() ?? null,
  });

/**
 * Marks a token used. The jti is the table's primary key, so of any number of
 * gateways presenting the same token at once exactly one insert succeeds; every
 * other presentation is `token_already_consumed`. (A gateway retrying its own call
 * sends the same Idempotency-Key and gets its first answer replayed.)
 */
export async function consumeToken(
  prisma: PrismaClient,
  input: { tenantId: string; token: string; consumer: string },
): Promise<ConsumedToken> {
  const claims = await verifyClearanceToken(prisma, input.token, input.tenantId);
  const inserted = await prisma.tokenConsumption.createMany({
    data: [{ jti: claims.jti, tenantId: input.tenantId, requestId: claims.request_id, tool: claims.tool, consumer: input.consumer }],
    skipDuplicates: true,
  });
  if (inserted.count === 0) throw new ApiError("token_already_consumed", `Token ${claims.jti} was already used.`);
  return renderConsumption(await prisma.tokenConsumption.findUniqueOrThrow({ where: { jti: claims.jti } }));
}
