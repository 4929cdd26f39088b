-- Edit, then approve (issue 21): the arguments a reviewer approved instead of the ones asked
-- for, and on each approval the arguments it approved, so a quorum counts only matching votes.
ALTER TABLE "clearance_requests" ADD COLUMN "approvedArgs" JSONB,
ADD COLUMN "approvedArgsHash" TEXT;

ALTER TABLE "review_votes" ADD COLUMN "argsHash" TEXT,
ADD COLUMN "editedArgs" JSONB;
