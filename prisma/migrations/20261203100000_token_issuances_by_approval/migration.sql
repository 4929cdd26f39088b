-- A token allowance counts every token issued under one approval (decision, poll and mint
-- alike), by approvalId (issue 19, finding 2).
-- CreateIndex
CREATE INDEX "token_issuances_tenantId_approvalId_idx" ON "token_issuances"("tenantId", "approvalId");
