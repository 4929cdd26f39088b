import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { renderConsumption } from "./consume-token";
import type { ConsumedToken } from "./schemas";

/**
 * Records the protected service's answer to a consumed token's action. Reporting the
 * same status again is a no-op (a gateway's retry); a different one is a conflict,
 * because the action ran once and had one outcome.
 */
export async function reportExecution(
  prisma: PrismaClient,
  input: { tenantId: string; jti: string; status: number },
): Promise<ConsumedToken> {
  const where = { jti: input.jti, tenantId: input.tenantId };
  await prisma.tokenConsumption.updateMany({
    where: { ...where, executionStatus: null },
    data: { executionStatus: input.status, executedAt: new Date() },
  });
  const row = await prisma.tokenConsumption.findFirst({ where });
  if (!row) throw new ApiError("token_not_consumed", `No consumed token ${input.jti} in this tenant.`);
  if (row.executionStatus !== input.status) {
    throw new ApiError("execution_already_reported", `Token ${input.jti} already reported status ${row.executionStatus}.`);
  }
  return renderConsumption(row);
}
