-- Issue 22: which API a clearance request came through: "api" (the wire protocol's POST
-- /api/clearance and its aliases) or "authzen" (the AuthZEN Access Evaluation API). A constant
-- default: PostgreSQL adds the column without rewriting the table.
-- AlterTable
ALTER TABLE "clearance_requests" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'api';
