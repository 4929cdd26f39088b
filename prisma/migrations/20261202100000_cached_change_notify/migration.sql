-- Processes that cache API-key authentication and policy resolution (lib/db/change-cache.ts)
-- hear of every change that could alter them, in the transaction that makes it: a key
-- revoked, re-scoped, re-keyed or deleted; a tenant changed or deleted; a policy added,
-- activated or removed. For keys only those columns: the lastUsedAt bookkeeping must not
-- empty every cache once a minute.
CREATE FUNCTION "ledgix_notify_cached_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ledgix_cached_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "api_keys_changed"
AFTER UPDATE ON "api_keys"
FOR EACH ROW
WHEN (OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt" OR OLD."scopes" IS DISTINCT FROM NEW."scopes"
  OR OLD."secretHash" IS DISTINCT FROM NEW."secretHash" OR OLD."tenantId" IS DISTINCT FROM NEW."tenantId"
  OR OLD."id" IS DISTINCT FROM NEW."id")
EXECUTE FUNCTION "ledgix_notify_cached_change"();

CREATE TRIGGER "api_keys_deleted"
AFTER DELETE ON "api_keys"
FOR EACH STATEMENT EXECUTE FUNCTION "ledgix_notify_cached_change"();

CREATE TRIGGER "tenants_changed"
AFTER UPDATE OR DELETE ON "tenants"
FOR EACH STATEMENT EXECUTE FUNCTION "ledgix_notify_cached_change"();

CREATE TRIGGER "policies_changed"
AFTER INSERT OR UPDATE OR DELETE ON "policies"
FOR EACH STATEMENT EXECUTE FUNCTION "ledgix_notify_cached_change"();
