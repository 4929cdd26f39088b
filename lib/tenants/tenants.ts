import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";

export const tenantNameSchema = z.string().trim().min(1).max(100).regex(/^[^\s].*$/, "must not be blank");

export async function createTenant(prisma: PrismaClient, name: string) {
  const existing = await prisma.tenant.findUnique({ where: { name }, select: { id: true } });
  if (existing) throw new ApiError("conflict", `A tenant named ${name} already exists (${existing.id}).`);
  return prisma.tenant.create({ data: { id: newId("ten"), name } });
}

/** A tenant by id or by name. */
export async function findTenantOrThrow(prisma: PrismaClient, nameOrId: string) {
  const tenant = await prisma.tenant.findFirst({ where: { OR: [{ id: nameOrId }, { name: nameOrId }] } });
  if (!tenant) throw new ApiError("not_found", `No tenant with id or name ${nameOrId}.`);
  return tenant;
}
