-- AlterTable
ALTER TABLE "clearance_requests" ADD COLUMN     "explanation" JSONB;

-- CreateTable
CREATE TABLE "judge_settings" (
    "tenantId" TEXT NOT NULL,
    "baseUrl" TEXT,
    "model" TEXT,
    "apiKeySealed" TEXT,
    "timeoutMs" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "judge_settings_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "policy_shadows" (
    "policyId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_shadows_pkey" PRIMARY KEY ("policyId")
);

-- CreateTable
CREATE TABLE "shadow_decisions" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "policySlug" TEXT NOT NULL,
    "policyVersionId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reasonCode" TEXT,
    "confidenceBucket" TEXT NOT NULL,
    "liveStatus" TEXT NOT NULL,
    "agrees" BOOLEAN NOT NULL,
    "explanation" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shadow_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "policy_shadows_tenantId_idx" ON "policy_shadows"("tenantId");

-- CreateIndex
CREATE INDEX "shadow_decisions_tenantId_policyVersionId_createdAt_idx" ON "shadow_decisions"("tenantId", "policyVersionId", "createdAt");

