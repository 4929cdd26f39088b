-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "apiKeyRequestsPerMinute" INTEGER,
ADD COLUMN     "tokenIssueWindowSeconds" INTEGER NOT NULL DEFAULT 300,
ADD COLUMN     "tokenMaxPerApproval" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['clearance', 'ledger']::TEXT[];

-- AlterTable
ALTER TABLE "policy_versions" ADD COLUMN     "uploadedBy" TEXT NOT NULL DEFAULT 'person:cli';

-- AlterTable
ALTER TABLE "ledger_events" ADD COLUMN     "tenantSeq" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "token_issuances" (
    "jti" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "approvalId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "parentJti" TEXT,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "token_issuances_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ledger_counters" (
    "tenantId" TEXT NOT NULL,
    "lastSeq" BIGINT NOT NULL,

    CONSTRAINT "ledger_counters_pkey" PRIMARY KEY ("tenantId")
);

-- CreateIndex
CREATE INDEX "token_issuances_tenantId_requestId_idx" ON "token_issuances"("tenantId", "requestId");

-- Number existing ledger entries per tenant, in their append order (issue 7, finding 9).
UPDATE "ledger_events" e SET "tenantSeq" = n.rn
FROM (SELECT "seq", row_number() OVER (PARTITION BY "tenantId" ORDER BY "seq") AS rn FROM "ledger_events") n
WHERE e."seq" = n."seq";
INSERT INTO "ledger_counters" ("tenantId", "lastSeq") SELECT "tenantId", max("tenantSeq") FROM "ledger_events" GROUP BY "tenantId";

-- Tokens issued before issuances were recorded, so their jtis stay valid parents (finding 5).
INSERT INTO "token_issuances" ("jti", "tenantId", "requestId", "approvalId", "channel", "parentJti", "issuedAt", "expiresAt")
SELECT "tokenJti", "tenantId", "id", coalesce("originalRequestId", "id"),
       CASE WHEN "originalRequestId" IS NULL THEN 'decision' ELSE 'mint' END, "parentJti",
       to_timestamp("tokenIssuedAt"), to_timestamp("tokenExpiresAt")
FROM "clearance_requests" WHERE "tokenJti" IS NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "ledger_events_tenantId_tenantSeq_key" ON "ledger_events"("tenantId", "tenantSeq");


-- Each tenant's entries are numbered 1, 2, 3, … as they are appended, whatever statement
-- appends them: the counter row is locked until the inserting transaction ends, so
-- numbers follow commit order within a tenant and a rolled-back insert leaves no gap.
CREATE FUNCTION "ledger_events_number_per_tenant"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ledger_counters" ("tenantId", "lastSeq") VALUES (NEW."tenantId", 1)
  ON CONFLICT ("tenantId") DO UPDATE SET "lastSeq" = "ledger_counters"."lastSeq" + 1
  RETURNING "lastSeq" INTO NEW."tenantSeq";
  RETURN NEW;
END
$$;
CREATE TRIGGER "ledger_events_number_per_tenant" BEFORE INSERT ON "ledger_events"
FOR EACH ROW EXECUTE FUNCTION "ledger_events_number_per_tenant"();
