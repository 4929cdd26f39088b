import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { renderConsumption } from "./consume-token";
import type { ConsumedToken } from "./schemas";

export async function getConsumptionOrThrow(prisma: PrismaClient, tenantId: string, jti: string): Promise<ConsumedToken> {
  const row = await prisma.tokenConsumption.findFirst({ where: { jti, tenantId } });
  if (!row) throw new ApiError("token_not_consumed", `No consumed token ${jti} in this tenant.`);
  return renderConsumption(row);
}
