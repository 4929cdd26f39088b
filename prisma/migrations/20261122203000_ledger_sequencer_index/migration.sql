-- DropIndex
DROP INDEX "ledger_events_leafIndex_idx";

-- CreateIndex
CREATE INDEX "ledger_events_tenantId_leafIndex_seq_idx" ON "ledger_events"("tenantId", "leafIndex", "seq");

