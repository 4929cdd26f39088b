import { z } from "zod";
import { OPERATOR } from "@/lib/audit/record-event";
import { emailSchema, passwordSchema } from "@/lib/auth/passwords";
import { addMember, listMembers, removeMember, roleSchema } from "@/lib/members/members";
import { addToReviewerGroup, createReviewerGroup, deleteReviewerGroup, groupNameSchema, listReviewerGroups, removeFromReviewerGroup } from "@/lib/members/reviewer-groups";
import { findTenantOrThrow } from "@/lib/tenants/tenants";
import { command, tenantRef } from "./command";

/** People who sign in to the dashboard, and reviewer groups. */
export const COMMANDS = {
  "member.add": command(
    z.object({ tenant: tenantRef, email: emailSchema, role: roleSchema, password: passwordSchema.optional() }),
    async (prisma, { tenant, ...input }) => addMember(prisma, { tenantId: (await findTenantOrThrow(prisma, tenant)).id, ...input }, OPERATOR),
  ),
  "member.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listMembers(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "member.remove": command(z.object({ tenant: tenantRef, email: emailSchema }), async (prisma, { tenant, email }) =>
    removeMember(prisma, (await findTenantOrThrow(prisma, tenant)).id, email, OPERATOR),
  ),
  "member.group.create": command(z.object({ tenant: tenantRef, name: groupNameSchema }), async (prisma, { tenant, name }) =>
    createReviewerGroup(prisma, (await findTenantOrThrow(prisma, tenant)).id, name),
  ),
  "member.group.add": command(z.object({ tenant: tenantRef, name: groupNameSchema, email: emailSchema }), async (prisma, { tenant, name, email }) =>
    addToReviewerGroup(prisma, (await findTenantOrThrow(prisma, tenant)).id, name, email),
  ),
  "member.group.remove": command(z.object({ tenant: tenantRef, name: groupNameSchema, email: emailSchema }), async (prisma, { tenant, name, email }) =>
    removeFromReviewerGroup(prisma, (await findTenantOrThrow(prisma, tenant)).id, name, email),
  ),
  "member.group.delete": command(z.object({ tenant: tenantRef, name: groupNameSchema }), async (prisma, { tenant, name }) =>
    deleteReviewerGroup(prisma, (await findTenantOrThrow(prisma, tenant)).id, name),
  ),
  "member.group.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) =>
    listReviewerGroups(prisma, (await findTenantOrThrow(prisma, tenant)).id),
  ),
};
