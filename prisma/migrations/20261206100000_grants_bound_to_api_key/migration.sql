-- A standing approval covers only requests made with the API key of the request it was cut
-- from: agent_id is whatever a caller says (issue 19, finding 5).
-- AlterTable
ALTER TABLE "standing_grants" ADD COLUMN "apiKeyId" TEXT;
