-- The audit trigger of ledger events (20261208152417_audit_stream) found the decision's request
-- by id and tenant. PL/pgSQL caches a generic plan per connection, made without the values and
-- often while the table is small and unanalysed; such a plan could choose a tenant index and
-- filter on id, so every decision scanned all of its tenant's requests (issue 24). The tenant is
-- now checked in a way no index can serve, which leaves the primary key as the only way in.

CREATE OR REPLACE FUNCTION "ledgix_audit_ledger_event"() RETURNS trigger LANGUAGE plpgsql AS $$
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
  -- IS NOT DISTINCT FROM (the same test here: neither side is null) is no index condition, so
  -- the request can be found only by its primary key.
  LEFT JOIN "clearance_requests" r ON r."id" = NEW."requestId" AND r."tenantId" IS NOT DISTINCT FROM NEW."tenantId";
  RETURN NULL;
END;
$$;
