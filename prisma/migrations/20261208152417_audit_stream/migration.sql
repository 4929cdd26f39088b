-- The audit stream for SIEMs (issue 22): every ledger event and security event, appended in
-- the transaction of what it records, and shipped in order to the sinks the operator
-- configures (lib/audit), each sink reading after its own stored cursor.
--
-- Order: events are shipped in (xid, seq) order, and only once every transaction that could
-- still add an earlier one has ended (xid below the oldest running transaction id). A plain
-- sequence is not enough: a transaction that took seq 7 may commit after one that took seq 8,
-- and a reader that had moved past 8 would never see 7.

-- CreateTable
CREATE TABLE "audit_events" (
    "seq" BIGSERIAL NOT NULL,
    "xid" BIGINT NOT NULL DEFAULT (pg_current_xact_id())::text::bigint,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "data" JSONB NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "instance_audit_events" (
    "seq" BIGINT NOT NULL DEFAULT nextval('audit_events_seq_seq'::regclass),
    "xid" BIGINT NOT NULL DEFAULT (pg_current_xact_id())::text::bigint,
    "kind" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "data" JSONB NOT NULL,

    CONSTRAINT "instance_audit_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "audit_sink_cursors" (
    "sink" TEXT NOT NULL,
    "xid" BIGINT NOT NULL DEFAULT 0,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "audit_sink_cursors_pkey" PRIMARY KEY ("sink")
);

-- CreateIndex
CREATE INDEX "audit_events_xid_seq_idx" ON "audit_events"("xid", "seq");

-- CreateIndex
CREATE INDEX "audit_events_occurredAt_idx" ON "audit_events"("occurredAt");

-- CreateIndex
CREATE INDEX "instance_audit_events_xid_seq_idx" ON "instance_audit_events"("xid", "seq");

-- CreateIndex
CREATE INDEX "instance_audit_events_occurredAt_idx" ON "instance_audit_events"("occurredAt");

-- Wakes the shippers (lib/audit/shipper.ts): one notification per inserting statement,
-- delivered at commit.
CREATE FUNCTION "ledgix_notify_audit_appended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ledgix_audit_appended', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER "audit_events_appended" AFTER INSERT ON "audit_events"
FOR EACH STATEMENT EXECUTE FUNCTION "ledgix_notify_audit_appended"();
CREATE TRIGGER "instance_audit_events_appended" AFTER INSERT ON "instance_audit_events"
FOR EACH STATEMENT EXECUTE FUNCTION "ledgix_notify_audit_appended"();

-- Who made a change, when the code that made it said so: `SELECT set_config('ledgix.actor',
-- 'person:<email>', true)` earlier in the same transaction (lib/audit/record-event.ts). NULL
-- when nobody said.
CREATE FUNCTION "ledgix_audit_actor"() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT NULLIF(current_setting('ledgix.actor', true), '')
$$;

-- The changes below are recorded by triggers, so that every path that makes them (the API, the
-- dashboard, the CLI, a future one) records them, in its own transaction.

-- A terminal decision's ledger event. The arguments stay in the ledger (they may hold what an
-- agent should not spread to a log pipeline): the stream carries their hash (intent_hash).
-- The request row is written by the same statement and is visible to this AFTER trigger.
CREATE FUNCTION "ledgix_audit_ledger_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e jsonb := NEW."entry"::jsonb;
BEGIN
  INSERT INTO "audit_events" ("tenantId", "kind", "occurredAt", "data")
  SELECT NEW."tenantId", 'clearance.decided', NEW."createdAt", jsonb_strip_nulls(jsonb_build_object(
    'request_id', NEW."requestId",
    'ledger_seq', NEW."tenantSeq",
    'event_uuid', e->'event_uuid',
    'event_hash', e->'event_hash',
    'leaf_hash', e->'leaf_hash',
    'accepted_at', e->'accepted_at',
    'agent_id', e->'agent_id',
    'tool_name', e->'tool_name',
    'intent_hash', e->'intent_hash',
    'approved', e->'approved',
    'reason', e->'reason',
    'policy_id', e->'policy_id',
    'status', r."status",
    'decision_status', r."decisionStatus",
    'reason_code', r."reasonCode",
    'confidence_bucket', r."confidenceBucket",
    'decided_by', r."decidedBy",
    'session_id', r."sessionId",
    'human_principal', r."humanPrincipal",
    'api_key_id', r."apiKeyId",
    'policy_version_id', r."policyVersionId",
    'matched_rule_id', r."matchedRuleId"
  ))
  FROM (SELECT 1) AS one
  LEFT JOIN "clearance_requests" r ON r."id" = NEW."requestId" AND r."tenantId" = NEW."tenantId";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "ledger_events_audited" AFTER INSERT ON "ledger_events"
FOR EACH ROW EXECUTE FUNCTION "ledgix_audit_ledger_event"();

-- An API key revoked (or its revocation moved: a rotation's grace period).
CREATE FUNCTION "ledgix_audit_api_key_revoked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "audit_events" ("tenantId", "kind", "data")
  VALUES (NEW."tenantId", 'api_key.revoked', jsonb_strip_nulls(jsonb_build_object(
    'key_id', NEW."id", 'key_name', NEW."name", 'revoked_at', NEW."revokedAt", 'actor', "ledgix_audit_actor"())));
  RETURN NULL;
END;
$$;
CREATE TRIGGER "api_keys_revoked_audited" AFTER UPDATE OF "revokedAt" ON "api_keys"
FOR EACH ROW WHEN (NEW."revokedAt" IS NOT NULL AND OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt")
EXECUTE FUNCTION "ledgix_audit_api_key_revoked"();

-- A person's role in a tenant given, changed or taken away.
CREATE FUNCTION "ledgix_audit_role_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  member "memberships" := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  INSERT INTO "audit_events" ("tenantId", "kind", "data")
  SELECT member."tenantId", 'member.role_changed', jsonb_strip_nulls(jsonb_build_object(
    'user_id', member."userId",
    'email', (SELECT u."email" FROM "users" u WHERE u."id" = member."userId"),
    'previous_role', CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD."role" END,
    'role', CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW."role" END,
    'actor', "ledgix_audit_actor"()));
  RETURN NULL;
END;
$$;
CREATE TRIGGER "memberships_added_audited" AFTER INSERT OR DELETE ON "memberships"
FOR EACH ROW EXECUTE FUNCTION "ledgix_audit_role_changed"();
CREATE TRIGGER "memberships_role_audited" AFTER UPDATE OF "role" ON "memberships"
FOR EACH ROW WHEN (OLD."role" IS DISTINCT FROM NEW."role")
EXECUTE FUNCTION "ledgix_audit_role_changed"();

-- A policy version made active (by upload, by activating a stored version, or by rollback).
CREATE FUNCTION "ledgix_audit_policy_activated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "audit_events" ("tenantId", "kind", "data")
  SELECT NEW."tenantId", 'policy.activated', jsonb_strip_nulls(jsonb_build_object(
    'policy_id', NEW."slug",
    'version_id', v."id",
    'content_hash', v."contentHash",
    'uploaded_by', v."uploadedBy",
    'previous_version_id', CASE WHEN TG_OP = 'UPDATE' THEN OLD."activeVersionId" END,
    'actor', "ledgix_audit_actor"()))
  FROM "policy_versions" v WHERE v."id" = NEW."activeVersionId";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "policies_created_audited" AFTER INSERT ON "policies"
FOR EACH ROW WHEN (NEW."activeVersionId" IS NOT NULL)
EXECUTE FUNCTION "ledgix_audit_policy_activated"();
CREATE TRIGGER "policies_activated_audited" AFTER UPDATE OF "activeVersionId" ON "policies"
FOR EACH ROW WHEN (NEW."activeVersionId" IS NOT NULL AND OLD."activeVersionId" IS DISTINCT FROM NEW."activeVersionId")
EXECUTE FUNCTION "ledgix_audit_policy_activated"();
