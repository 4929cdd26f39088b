-- AlterTable
ALTER TABLE "clearance_requests" ADD COLUMN     "grantId" TEXT;

-- CreateTable
CREATE TABLE "standing_grants" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "toolName" TEXT,
    "agentId" TEXT NOT NULL,
    "argsHash" TEXT,
    "condition" TEXT,
    "sessionId" TEXT,
    "maxUses" INTEGER,
    "usesLeft" INTEGER,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,
    "sourceRequestId" TEXT NOT NULL,
    "signerKeyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "standing_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "standing_grants_tenantId_agentId_expiresAt_idx" ON "standing_grants"("tenantId", "agentId", "expiresAt");

-- CreateIndex
CREATE INDEX "standing_grants_tenantId_sourceRequestId_idx" ON "standing_grants"("tenantId", "sourceRequestId");

