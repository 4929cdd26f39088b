// What the audit stream carries (docs/audit-stream.md). Each kind's fields are stored as the
// row's `data` (by the migration's triggers, or by recordAuditEvent) and rendered as OCSF
// when shipped (ocsf.ts).

/** Kinds recorded by the database's triggers (migration audit_stream), in the transaction of the change. */
export type RecordedKind = "clearance.decided" | "api_key.revoked" | "member.role_changed" | "policy.activated";

/** Kinds the application records where they happen (recordAuditEvent). */
export type SecurityEvent =
  | {
      kind: "authentication.failed";
      data: { method: "api_key"; key_id: string | null; address: string; code: string };
    }
  | {
      kind: "authentication.failed" | "authentication.succeeded";
      data: { method: SignInMethod; email: string; user_id?: string; address?: string; code?: string };
    }
  | {
      /** A request refused by a limit: the failed-authentication limits, sign-in limits, a key's quota. */
      kind: "rate_limited";
      data: { limit: string; key: string; code: string; address?: string; key_id?: string };
    };

export type SignInMethod = "password" | "email_link" | "oauth";

export type AuditKind = RecordedKind | SecurityEvent["kind"];

/** One stored event, as read back for shipping or export. */
export interface AuditRow {
  seq: bigint;
  xid: bigint;
  tenantId: string | null;
  kind: AuditKind;
  occurredAt: Date;
  data: Record<string, unknown>;
}
