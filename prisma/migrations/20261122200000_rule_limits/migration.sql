-- AlterTable
ALTER TABLE "clearance_requests" ADD COLUMN     "limitAmounts" JSONB;

-- CreateIndex
CREATE INDEX "clearance_requests_tenantId_policySlug_matchedRuleId_decide_idx" ON "clearance_requests"("tenantId", "policySlug", "matchedRuleId", "decidedAt");

