-- Web Push for reviewers (issue 21): each person's push subscriptions, the instance's VAPID key,
-- and one review link per channel and device, so a push never replaces the emailed link.
-- DropIndex
DROP INDEX "review_links_requestId_userId_key";

-- AlterTable
ALTER TABLE "review_links" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'email';

-- CreateTable
CREATE TABLE "push_subscriptions" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "endpointHash" TEXT NOT NULL,
    "subscription" TEXT NOT NULL,
    "endpointHost" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastPushedAt" TIMESTAMP(3),

    CONSTRAINT "push_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "push_vapid_keys" (
    "id" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "privateKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_vapid_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "push_subscriptions_userId_endpointHash_key" ON "push_subscriptions"("userId", "endpointHash");

-- CreateIndex
CREATE UNIQUE INDEX "review_links_requestId_userId_channel_key" ON "review_links"("requestId", "userId", "channel");

-- AddForeignKey
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

