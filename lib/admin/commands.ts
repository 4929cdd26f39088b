import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { apiKeyScopesSchema, DEFAULT_API_KEY_SCOPES } from "@/lib/auth/scopes";
import type { PrismaClient } from "@/lib/db";
import { listJobs, retryJob } from "@/lib/jobs/admin";
import { MAX_TOKEN_TTL_SECONDS, rotateSigningKey } from "@/lib/keys/signing-keys";
import { confidenceBucketSchema } from "@/lib/policy/confidence";
import { applyPolicy } from "@/lib/policy/apply-policy";
import { listPolicies, showPolicy } from "@/lib/policy/list-policies";
import { checkpointVerifierKey } from "@/lib/ledger/checkpoint-note";
import { addWitness, listWitnesses, MAX_WITNESSES, removeWitness, witnessInputSchema } from "@/lib/ledger/witnesses";
import { listPendingReviews } from "@/lib/review/list-pending";
import { getRequestAcrossTenantsOrThrow } from "@/lib/clearance/get-request";
import { replay, replayBodySchema } from "@/lib/policy/replay";
import { simulate, simulateBodySchema } from "@/lib/policy/simulate";
import { activateVersion, diffVersions, listVersions } from "@/lib/policy/versions";
import { emailSchema, passwordSchema } from "@/lib/auth/passwords";
import { addMember, listMembers, removeMember, roleSchema } from "@/lib/members/members";
import { decideReview } from "@/lib/review/decide-review";
import { approveWithGrant } from "@/lib/grants/approve-with-grant";
import { grantSpecSchema } from "@/lib/grants/grant-spec";
import { listLiveGrants, revokeGrant } from "@/lib/grants/grants";
import { parseEditedArgs } from "@/lib/review/edit-args";
import { castVote } from "@/lib/review/cast-vote";
import { breakGlassDecider } from "@/lib/review/decided-by";
import { addToReviewerGroup, createReviewerGroup, deleteReviewerGroup, groupNameSchema, listReviewerGroups, removeFromReviewerGroup } from "@/lib/members/reviewer-groups";
import { createTenant, findTenantOrThrow, tenantNameSchema } from "@/lib/tenants/tenants";
import { listDeliveries } from "@/lib/deliveries/deliveries";
import { NOTIFICATION_EVENTS, type NotificationEvent } from "@/lib/notify/events";
import { notificationSettingSchema, saveNotificationSetting } from "@/lib/notify/settings";
import { resendWebhookDelivery } from "@/lib/webhooks/deliver";
import { createWebhookEndpoint, listWebhookEndpoints, removeWebhookEndpoint, webhookEndpointSchema } from "@/lib/webhooks/endpoints";
import { OPERATOR } from "@/lib/audit/record-event";

/** Operator commands. The CLI runs them on the database directly (embedded or PostgreSQL). */
const command = <S extends z.ZodType, R>(input: S, run: (prisma: PrismaClient, input: z.output<S>) => Promise<R>) => ({ input, run });

const tenantRef = z.string().min(1).max(100);
const onOff = z.enum(["on", "off"]).optional().transform((v) => (v === undefined ? undefined : v === "on"));

export const COMMANDS = {
  "tenant.create": command(z.object({ name: tenantNameSchema }), async (prisma, { name }) => {
    const tenant = await createTenant(prisma, name);
    return { id: tenant.id, name: tenant.name };
  }),
  "tenant.list": command(z.object({}), (prisma) =>
    prisma.tenant.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, name: true, createdAt: true } }),
  ),
  "tenant.update": command(
    z.object({
      tenant: tenantRef,
      minimumConfidenceBucket: confidenceBucketSchema.optional(),
      tokenTtlSeconds: z.coerce.number().int().min(30).max(MAX_TOKEN_TTL_SECONDS).optional(),
      ledgerCanonicalVersion: z.coerce.number().int().min(1).max(3).optional(),
      tokenMaxPerApproval: z.coerce.number().int().min(1).max(100).optional(),
      tokenIssueWindowSeconds: z.coerce.number().int().min(30).max(7 * 24 * 3600).optional(),
      // 0 lifts the quota.
      apiKeyRequestsPerMinute: z.coerce.number().int().min(0).max(1_000_000).optional()
        .transform((n) => (n === 0 ? null : n)),
      reviewFourEyes: onOff,
      reviewTimeoutSeconds: z.coerce.number().int().min(1).max(30 * 86_400).optional(),
      // "none" turns escalation off.
      reviewEscalationGroup: z.union([z.literal("none").transform(() => null), groupNameSchema]).optional(),
      reviewEscalationFraction: z.coerce.number().gt(0).lt(1).optional(),
      ledgerPublicTiles: onOff,
      witnessQuorum: z.coerce.number().int().min(0).max(MAX_WITNESSES).optional(),
    }),
    async (prisma, { tenant, ...settings }) => {
      const { id } = await findTenantOrThrow(prisma, tenant);
      return prisma.tenant.update({
        where: { id },
        data: settings,
        select: {
          id: true, name: true, minimumConfidenceBucket: true, tokenTtlSeconds: true, ledgerCanonicalVersion: true,
          tokenMaxPerApproval: true, tokenIssueWindowSeconds: true, apiKeyRequestsPerMinute: true,
          reviewFourEyes: true, reviewTimeoutSeconds: true, reviewEscalationGroup: true, reviewEscalationFraction: true,
          ledgerPublicTiles: true, witnessQuorum: true,
        },
      });
    },
  ),
  "key.create": command(
    z.object({ tenant: tenantRef, name: z.string().min(1).max(100), scopes: apiKeyScopesSchema.default(DEFAULT_API_KEY_SCOPES) }),
    async (prisma, input) => {
      const tenant = await findTenantOrThrow(prisma, input.tenant);
      return { tenantId: tenant.id, ...(await createApiKey(prisma, tenant.id, input.name, input.scopes)) };
    },
  ),
  "key.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listApiKeys(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "key.revoke": command(z.object({ id: z.string().min(1).max(100) }), (prisma, { id }) => revokeApiKey(prisma, id, OPERATOR)),
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
  "review.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listPendingReviews(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "review.decide": command(
    z.object({
      requestId: z.string().min(1).max(100), approve: z.boolean(), reason: z.string().max(2000).optional(), operator: z.string().min(1).max(100),
      /** A member's vote under the review rules; without it the operator decides alone (break-glass). */
      as: emailSchema.optional(),
      grant: grantSpecSchema.optional(),
      /** Edit, then approve: the arguments (JSON text) to approve instead. */
      args: z.string().optional(),
    }),
    async (prisma, input) => {
      const request = await getRequestAcrossTenantsOrThrow(prisma, input.requestId);
      if (input.grant && !input.approve) throw new ApiError("invalid_grant", "Only an approval can grant a standing approval.");
      if (input.args !== undefined && (!input.as || input.grant)) {
        throw new ApiError("invalid_request", "--args is a reviewer's edit: pass it with --as, and without --grant (a standing approval covers calls as asked).");
      }
      const args = input.args === undefined ? undefined : parseEditedArgs(input.args);
      const decidedBy = input.as ? `reviewer:${input.as}` : breakGlassDecider(input.operator);
      const decide = async (approve: boolean, reason: string | null | undefined) => input.as
        ? (await castVote(prisma, request, { reviewer: { userId: null, email: input.as, label: input.as }, approve, reason, channel: "cli", args })).request
        : decideReview(prisma, request, { approve, reason, decidedBy });
      const { row, grant } = input.grant
        ? await approveWithGrant(prisma, request, { spec: input.grant, grantedBy: decidedBy, reason: input.reason }, (reason) => decide(true, reason))
        : { row: await decide(input.approve, input.reason), grant: null };
      return { requestId: row.id, status: row.status, reason: row.reason, reasonCode: row.reasonCode, grantId: grant?.id ?? null };
    },
  ),
  "grant.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listLiveGrants(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "grant.revoke": command(z.object({ tenant: tenantRef, id: z.string().min(1).max(100), operator: z.string().min(1).max(100) }), async (prisma, input) =>
    revokeGrant(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.id, `operator:${input.operator}`),
  ),
  "ledger.verifier-key": command(z.object({ tenant: tenantRef }), async (prisma, input) => ({
    verifierKey: await checkpointVerifierKey(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  })),
  "witness.add": command(witnessInputSchema.extend({ tenant: tenantRef }), async (prisma, { tenant, ...input }) =>
    addWitness(prisma, (await findTenantOrThrow(prisma, tenant)).id, input)),
  "witness.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listWitnesses(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "witness.remove": command(z.object({ tenant: tenantRef, id: z.string().min(1).max(100) }), async (prisma, { tenant, id }) =>
    removeWitness(prisma, (await findTenantOrThrow(prisma, tenant)).id, id)),
  "member.add": command(
    z.object({ tenant: tenantRef, email: emailSchema, role: roleSchema, password: passwordSchema.optional() }),
    async (prisma, { tenant, ...input }) => addMember(prisma, { tenantId: (await findTenantOrThrow(prisma, tenant)).id, ...input }, OPERATOR),
  ),
  "member.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listMembers(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "member.remove": command(z.object({ tenant: tenantRef, email: emailSchema }), async (prisma, { tenant, email }) =>
    removeMember(prisma, (await findTenantOrThrow(prisma, tenant)).id, email, OPERATOR),
  ),
  "notify.set": command(
    notificationSettingSchema.extend({ tenant: tenantRef, event: z.enum(Object.keys(NOTIFICATION_EVENTS) as [NotificationEvent, ...NotificationEvent[]]) }),
    async (prisma, { tenant, event, ...input }) => {
      const tenantId = (await findTenantOrThrow(prisma, tenant)).id;
      await saveNotificationSetting(prisma, tenantId, event, { ...input, clearSlack: input.slackWebhookUrl === "" });
      return { tenantId, event, slack: input.slackWebhookUrl !== "", emailRecipients: input.emailRecipients };
    },
  ),
  "webhook.add": command(webhookEndpointSchema.extend({ tenant: tenantRef }), async (prisma, { tenant, ...input }) =>
    createWebhookEndpoint(prisma, (await findTenantOrThrow(prisma, tenant)).id, input)),
  "webhook.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listWebhookEndpoints(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "webhook.remove": command(z.object({ tenant: tenantRef, id: z.string().min(1) }), async (prisma, { tenant, id }) =>
    removeWebhookEndpoint(prisma, (await findTenantOrThrow(prisma, tenant)).id, id)),
  "webhook.deliveries": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listDeliveries(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "webhook.resend": command(z.object({ tenant: tenantRef, id: z.string().min(1) }), async (prisma, { tenant, id }) =>
    resendWebhookDelivery(prisma, (await findTenantOrThrow(prisma, tenant)).id, id)),
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
  "signing-key.rotate": command(z.object({ purpose: z.enum(["token", "ledger"]) }), (prisma, { purpose }) =>
    rotateSigningKey(prisma, purpose),
  ),
  // Opening the database applies pending migrations; this reports the outcome.
  "db.status": command(z.object({}), async (prisma) => ({
    migrations: await prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
  })),
  "jobs.list": command(z.object({ failed: z.boolean() }), (prisma, input) => listJobs(prisma, input)),
  "jobs.retry": command(z.object({ id: z.coerce.bigint().positive() }), async (prisma, { id }) => {
    const job = await retryJob(prisma, id);
    if (!job) throw new ApiError("not_found", `No job ${id} waiting in the queue (it may be running, or done and deleted).`);
    return job;
  }),
};

export type CommandName = keyof typeof COMMANDS;

export async function executeCommand(prisma: PrismaClient, name: CommandName, input: unknown): Promise<unknown> {
  const { input: schema, run } = COMMANDS[name] as ReturnType<typeof command<z.ZodType, unknown>>;
  return run(prisma, schema.parse(input));
}
