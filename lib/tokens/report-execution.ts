import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { getConsumptionOrThrow } from "./get-consumption";
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
  await prisma.tokenConsumption.updateMany({
    where: { jti: input.jti, tenantId: input.tenantId, executionStatus: null },
    data: { executionStatus: input.status, executedAt: new Date() },
  });
  const consumption = await getConsumptionOrThrow(prisma, input.tenantId, input.jti);
  if (consumption.execution_status !== input.status) {
    throw new ApiError("execution_already_reported", `Token ${input.jti} already reported status ${consumption.execution_status}.`);
  }
  return consumption;
}
