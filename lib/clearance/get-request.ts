import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

const notFound = (id: string) => new ApiError("request_not_found", `No clearance request ${id.slice(0, 100)}.`);

/** A tenant's clearance request, or a 404 that says nothing about other tenants' ids. */
export async function getRequestOrThrow(prisma: PrismaClient, tenantId: string, id: string) {
  const row = REQUEST_ID.test(id) ? await prisma.clearanceRequest.findFirst({ where: { id, tenantId } }) : null;
  if (!row) throw notFound(id);
  return row;
}

/** Any tenant's clearance request: for operators (the CLI) only, never behind an API key. */
export async function getRequestAcrossTenantsOrThrow(prisma: PrismaClient, id: string) {
  const row = REQUEST_ID.test(id) ? await prisma.clearanceRequest.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(id);
  return row;
}
