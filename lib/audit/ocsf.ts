import { env } from "@/lib/env";
import type { AuditRow } from "./events";

// Every event is rendered as one OCSF 1.8.0 event (schema.ocsf.io), the schema Splunk,
// Elastic, Sentinel and Security Lake read natively. Fields OCSF has no place for go under
// `unmapped`. docs/audit-stream.md lists the mapping and why each class was chosen.

export const OCSF_VERSION = "1.8.0";

type Json = Record<string, unknown>;

const CATEGORY = { iam: [3, "Identity & Access Management"], application: [6, "Application Activity"] } as const;

interface OcsfClass {
  category: keyof typeof CATEGORY;
  uid: number;
  name: string;
}

const API_ACTIVITY: OcsfClass = { category: "application", uid: 6003, name: "API Activity" };
const AUTHENTICATION: OcsfClass = { category: "iam", uid: 3002, name: "Authentication" };
const ENTITY_MANAGEMENT: OcsfClass = { category: "iam", uid: 3004, name: "Entity Management" };
const USER_ACCESS: OcsfClass = { category: "iam", uid: 3005, name: "User Access Management" };

const SEVERITY = { informational: 1, low: 2, medium: 3 } as const;
const STATUS = { success: [1, "Success"], failure: [2, "Failure"] } as const;

/** What each kind contributes beyond the common fields. */
interface Rendering {
  cls: OcsfClass;
  activity: [number, string];
  severity: keyof typeof SEVERITY;
  status: keyof typeof STATUS;
  message: string;
  fields: Json;
}

const str = (value: unknown) => (typeof value === "string" ? value : undefined);
/** Drops undefined members, so absent fields are left out rather than null. */
const compact = (value: Json): Json => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
const actorNamed = (actor: unknown) => (str(actor) ? { user: { name: str(actor) } } : undefined);

function decision(d: Json): Rendering {
  const approved = d.status === "approved";
  const policy = compact({ uid: str(d.policy_id) || undefined, name: str(d.policy_id) || undefined, version: str(d.policy_version_id) });
  return {
    cls: API_ACTIVITY,
    // The agent's tool call is the API call: Ledgix decided whether it may happen.
    activity: [99, "Clearance Decision"],
    severity: "informational",
    status: "success",
    message: `${String(d.tool_name)} ${approved ? "approved" : "denied"}${d.reason_code ? ` (${String(d.reason_code)})` : ""}`,
    fields: {
      actor: compact({
        app_name: str(d.agent_id),
        user: str(d.human_principal) ? { name: str(d.human_principal) } : undefined,
        session: str(d.session_id) ? { uid: str(d.session_id) } : undefined,
        authorizations: [compact({ decision: approved ? "approved" : "denied", policy: Object.keys(policy).length ? policy : undefined })],
      }),
      api: { operation: d.tool_name, request: { uid: d.request_id }, service: { name: "ledgix" } },
      resources: [compact({ type: "tool", name: str(d.tool_name), uid: str(d.intent_hash) })],
      action_id: approved ? 1 : 2,
      action: approved ? "Allowed" : "Denied",
      disposition_id: approved ? 1 : 2,
      disposition: approved ? "Allowed" : "Blocked",
      policy: Object.keys(policy).length ? policy : undefined,
      status_detail: str(d.reason_code),
      unmapped: compact({
        reason: str(d.reason),
        decision_status: str(d.decision_status),
        confidence_bucket: str(d.confidence_bucket),
        decided_by: str(d.decided_by),
        matched_rule_id: str(d.matched_rule_id),
        api_key_id: str(d.api_key_id),
        ledger: compact({ seq: d.ledger_seq, event_uuid: d.event_uuid, event_hash: d.event_hash, leaf_hash: d.leaf_hash }),
      }),
    },
  };
}

function authentication(d: Json, succeeded: boolean): Rendering {
  const apiKey = d.method === "api_key";
  return {
    cls: AUTHENTICATION,
    activity: [1, "Logon"],
    severity: succeeded ? "informational" : "low",
    status: succeeded ? "success" : "failure",
    message: `${apiKey ? "API key" : "Sign-in"} ${succeeded ? "succeeded" : `failed (${String(d.code)})`}`,
    fields: {
      user: compact(apiKey ? { credential_uid: str(d.key_id) } : { email_addr: str(d.email), uid: str(d.user_id) }),
      auth_protocol_id: 99,
      auth_protocol: { api_key: "API key", password: "Password", email_link: "Email link", oauth: "OAuth 2.0/OIDC" }[String(d.method)],
      service: { name: apiKey ? "ledgix-api" : "ledgix-dashboard" },
      src_endpoint: str(d.address) ? { ip: str(d.address) } : undefined,
      status_detail: str(d.code),
    },
  };
}

function rateLimited(d: Json): Rendering {
  return {
    cls: API_ACTIVITY,
    activity: [99, "Rate Limited"],
    severity: "medium",
    status: "failure",
    message: `Refused by the ${String(d.limit)} limit (${String(d.code)})`,
    fields: {
      actor: str(d.key_id) ? { user: { credential_uid: str(d.key_id) } } : undefined,
      api: { operation: d.limit, service: { name: "ledgix" } },
      src_endpoint: str(d.address) ? { ip: str(d.address) } : undefined,
      action_id: 2,
      action: "Denied",
      disposition_id: 2,
      disposition: "Blocked",
      status_detail: str(d.code),
      unmapped: { limit_key: d.key },
    },
  };
}

function keyRevoked(d: Json): Rendering {
  return {
    cls: ENTITY_MANAGEMENT,
    activity: [9, "Disable"],
    severity: "informational",
    status: "success",
    message: `API key ${String(d.key_id)} revoked`,
    fields: {
      actor: actorNamed(d.actor),
      entity: compact({ type: "api_key", uid: str(d.key_id), name: str(d.key_name) }),
      unmapped: { revoked_at: d.revoked_at },
    },
  };
}

function roleChanged(d: Json): Rendering {
  const removed = !d.role;
  return {
    cls: USER_ACCESS,
    activity: removed ? [2, "Revoke Privileges"] : [1, "Assign Privileges"],
    severity: "informational",
    status: "success",
    message: removed ? `${String(d.email)} removed (was ${String(d.previous_role)})` : `${String(d.email)} is now ${String(d.role)}${d.previous_role ? ` (was ${String(d.previous_role)})` : ""}`,
    fields: {
      actor: actorNamed(d.actor),
      user: compact({ email_addr: str(d.email), uid: str(d.user_id) }),
      privileges: [removed ? d.previous_role : d.role],
      unmapped: compact({ previous_role: str(d.previous_role) }),
    },
  };
}

function policyActivated(d: Json): Rendering {
  return {
    cls: ENTITY_MANAGEMENT,
    activity: [10, "Activate"],
    severity: "informational",
    status: "success",
    message: `Policy ${String(d.policy_id)} version ${String(d.version_id)} activated`,
    fields: {
      actor: actorNamed(d.actor),
      entity: compact({ type: "policy", uid: str(d.policy_id), name: str(d.policy_id), version: str(d.version_id), data: compact({ content_hash: d.content_hash, uploaded_by: d.uploaded_by }) }),
      unmapped: compact({ previous_version_id: str(d.previous_version_id) }),
    },
  };
}

function render(row: AuditRow): Rendering {
  const d = row.data as Json;
  switch (row.kind) {
    case "clearance.decided": return decision(d);
    case "authentication.succeeded": return authentication(d, true);
    case "authentication.failed": return authentication(d, false);
    case "rate_limited": return rateLimited(d);
    case "api_key.revoked": return keyRevoked(d);
    case "member.role_changed": return roleChanged(d);
    case "policy.activated": return policyActivated(d);
  }
}

/** The OCSF event of one stored audit event. `metadata.uid` is stable: a redelivery repeats it. */
export function toOcsf(row: AuditRow): Json {
  const { cls, activity, severity, status, message, fields } = render(row);
  const [categoryUid, categoryName] = CATEGORY[cls.category];
  return compact({
    metadata: compact({
      version: OCSF_VERSION,
      product: { name: "Ledgix", vendor_name: "Ledgix" },
      uid: `${env().LEDGIX_LOG_ORIGIN}/audit/${row.seq}`,
      sequence: Number(row.seq),
      event_code: row.kind,
      log_name: "ledgix.audit",
      tenant_uid: row.tenantId ?? undefined,
      correlation_uid: str((row.data as Json).request_id),
    }),
    time: row.occurredAt.getTime(),
    category_uid: categoryUid,
    category_name: categoryName,
    class_uid: cls.uid,
    class_name: cls.name,
    activity_id: activity[0],
    activity_name: activity[1],
    type_uid: cls.uid * 100 + activity[0],
    type_name: `${cls.name}: ${activity[1]}`,
    severity_id: SEVERITY[severity],
    severity: severity[0]!.toUpperCase() + severity.slice(1),
    status_id: STATUS[status][0],
    status: STATUS[status][1],
    message,
    ...compact(fields),
  });
}
