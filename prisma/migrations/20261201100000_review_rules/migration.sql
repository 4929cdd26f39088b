-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "reviewEscalationFraction" DOUBLE PRECISION,
ADD COLUMN     "reviewEscalationGroup" TEXT,
ADD COLUMN     "reviewFourEyes" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "reviewTimeoutSeconds" INTEGER NOT NULL DEFAULT 900;

-- AlterTable
ALTER TABLE "clearance_requests" ADD COLUMN     "reviewDeadline" TIMESTAMP(3),
ADD COLUMN     "reviewEscalateAt" TIMESTAMP(3),
ADD COLUMN     "reviewEscalatedAt" TIMESTAMP(3),
ADD COLUMN     "reviewerGroups" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "review_votes" (
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT,
    "reviewerEmail" TEXT NOT NULL,
    "reviewerLabel" TEXT NOT NULL,
    "approve" BOOLEAN NOT NULL,
    "channel" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_votes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reviewer_groups" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviewer_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reviewer_group_members" (
    "groupId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviewer_group_members_pkey" PRIMARY KEY ("groupId","userId")
);

-- CreateIndex
CREATE INDEX "review_votes_tenantId_idx" ON "review_votes"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "review_votes_requestId_reviewerEmail_key" ON "review_votes"("requestId", "reviewerEmail");

-- CreateIndex
CREATE UNIQUE INDEX "reviewer_groups_tenantId_name_key" ON "reviewer_groups"("tenantId", "name");

-- CreateIndex
CREATE INDEX "reviewer_group_members_userId_idx" ON "reviewer_group_members"("userId");

-- AddForeignKey
ALTER TABLE "review_votes" ADD CONSTRAINT "review_votes_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "clearance_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_votes" ADD CONSTRAINT "review_votes_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviewer_groups" ADD CONSTRAINT "reviewer_groups_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviewer_group_members" ADD CONSTRAINT "reviewer_group_members_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "reviewer_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviewer_group_members" ADD CONSTRAINT "reviewer_group_members_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

