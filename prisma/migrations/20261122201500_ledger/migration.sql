-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "ledgerCanonicalVersion" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "ledger_events" (
    "seq" BIGSERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "eventUuid" TEXT NOT NULL,
    "entry" TEXT NOT NULL,
    "leafHash" TEXT NOT NULL,
    "leafIndex" BIGINT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "ledger_nodes" (
    "tenantId" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "index" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "ledger_nodes_pkey" PRIMARY KEY ("tenantId","level","index")
);

-- CreateTable
CREATE TABLE "ledger_trees" (
    "tenantId" TEXT NOT NULL,
    "size" BIGINT NOT NULL DEFAULT 0,
    "rootHash" TEXT NOT NULL DEFAULT '',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ledger_trees_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "ledger_checkpoints" (
    "tenantId" TEXT NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "treeSize" BIGINT NOT NULL,
    "rootHash" TEXT NOT NULL,
    "prevCheckpointHash" TEXT NOT NULL,
    "checkpointHash" TEXT NOT NULL,
    "signerKeyId" TEXT NOT NULL,
    "signedAt" TEXT NOT NULL,
    "mmdSeconds" INTEGER NOT NULL,
    "payload" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_checkpoints_pkey" PRIMARY KEY ("tenantId","checkpointId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_events_eventUuid_key" ON "ledger_events"("eventUuid");

-- CreateIndex
CREATE INDEX "ledger_events_leafIndex_idx" ON "ledger_events"("leafIndex");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_events_tenantId_requestId_key" ON "ledger_events"("tenantId", "requestId");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_events_tenantId_leafIndex_key" ON "ledger_events"("tenantId", "leafIndex");

-- CreateIndex
CREATE INDEX "ledger_checkpoints_tenantId_treeSize_idx" ON "ledger_checkpoints"("tenantId", "treeSize");

-- AddForeignKey
ALTER TABLE "ledger_events" ADD CONSTRAINT "ledger_events_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_nodes" ADD CONSTRAINT "ledger_nodes_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_trees" ADD CONSTRAINT "ledger_trees_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_checkpoints" ADD CONSTRAINT "ledger_checkpoints_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

