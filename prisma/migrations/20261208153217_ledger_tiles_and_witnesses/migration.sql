-- Issue 23: the ledger as C2SP tlog-tiles (optionally public) and witness cosignatures
-- (C2SP tlog-witness, tlog-cosignature) served with its checkpoints.
-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "ledgerPublicTiles" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "witnessQuorum" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ledger_witnesses" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "verifierKey" TEXT NOT NULL,
    "knownSize" BIGINT NOT NULL DEFAULT 0,
    "cosignedSize" BIGINT,
    "cosignedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "lastAttemptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_witnesses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_cosignatures" (
    "tenantId" TEXT NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "witnessId" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_cosignatures_pkey" PRIMARY KEY ("tenantId","checkpointId","witnessId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_witnesses_tenantId_name_key" ON "ledger_witnesses"("tenantId", "name");

-- AddForeignKey
ALTER TABLE "ledger_witnesses" ADD CONSTRAINT "ledger_witnesses_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_cosignatures" ADD CONSTRAINT "ledger_cosignatures_tenantId_checkpointId_fkey" FOREIGN KEY ("tenantId", "checkpointId") REFERENCES "ledger_checkpoints"("tenantId", "checkpointId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_cosignatures" ADD CONSTRAINT "ledger_cosignatures_witnessId_fkey" FOREIGN KEY ("witnessId") REFERENCES "ledger_witnesses"("id") ON DELETE CASCADE ON UPDATE CASCADE;
