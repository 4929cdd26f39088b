import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

/** A tenant's clearance request, or a 404 that says nothing about other tenants' ids. */
export async function getRequestOrThrow(prisma: PrismaClient, id: string, tenantId?: string) {
  const row = REQUEST_ID.test(id)
    ? await prisma.clearanceRequest.findFirst({ where: { id, ...(tenantId ? { tenantId } : {}) } })
    : null;
  if (!row) throw new ApiError("request_not_found", `No clearance request ${id.slice(0, 100)}.`);
  return row;
}
