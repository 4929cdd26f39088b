-- CreateTable
CREATE TABLE "token_consumptions" (
    "jti" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "consumer" TEXT NOT NULL DEFAULT '',
    "consumedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "executionStatus" INTEGER,
    "executedAt" TIMESTAMP(3),

    CONSTRAINT "token_consumptions_pkey" PRIMARY KEY ("jti")
);

-- CreateIndex
CREATE INDEX "token_consumptions_tenantId_requestId_idx" ON "token_consumptions"("tenantId", "requestId");

-- AddForeignKey
ALTER TABLE "token_consumptions" ADD CONSTRAINT "token_consumptions_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

