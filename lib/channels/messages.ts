import type { ClearanceRequest } from "@/lib/db/generated/client";
import { publicUrl } from "@/lib/auth/public-url";
import type { NotifyEvent } from "@/lib/notify/notify-event";

/** The request in the dashboard. */
export const dashboardRequestUrl = (requestId: string) => `${publicUrl()}/requests/${requestId}`;

export const prettyArgs = (request: Pick<ClearanceRequest, "toolArgs">) => JSON.stringify(request.toolArgs, null, 2);

const HEADLINES: Record<NotifyEvent, string> = {
  "clearance.pending_review": "Review needed",
  "clearance.approved": "Approved",
  "clearance.denied": "Denied",
  "review.expired": "Review expired (denied)",
  "review.escalated": "Review escalated: still waiting",
  "grant.created": "Standing approval granted",
};

/** One line: what happened to which tool call. */
export function headline(event: NotifyEvent, request: Pick<ClearanceRequest, "toolName" | "decidedBy"> | null): string {
  const who = request?.decidedBy?.startsWith("reviewer:") ? ` by ${request.decidedBy.slice("reviewer:".length)}` : "";
  return request ? `${HEADLINES[event]}${event === "clearance.approved" || event === "clearance.denied" ? who : ""}: ${request.toolName}` : HEADLINES[event];
}

/** A webhook's JSON body (its `id` and `created_at` are repeated in headers). */
export function webhookBody(input: { eventId: string; event: NotifyEvent; tenantId: string; request: ClearanceRequest | null; grantId?: string }) {
  const { request } = input;
  return {
    id: input.eventId,
    type: input.event,
    created_at: new Date().toISOString(),
    tenant_id: input.tenantId,
    data: {
      ...(input.grantId ? { grant_id: input.grantId } : {}),
      ...(request
        ? {
            request_id: request.id,
            tool_name: request.toolName,
            tool_args: request.toolArgs,
            agent_id: request.agentId,
            session_id: request.sessionId,
            status: request.status,
            decision_status: request.decisionStatus,
            reason: request.reason,
            reason_code: request.reasonCode,
            decided_by: request.decidedBy,
            decided_at: request.decidedAt?.toISOString() ?? null,
            review_url: dashboardRequestUrl(request.id),
          }
        : {}),
    },
  };
}
