-- CreateTable
CREATE TABLE "notification_settings" (
    "tenantId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "slackWebhookUrl" TEXT,
    "emailRecipients" TEXT[],
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_settings_pkey" PRIMARY KEY ("tenantId","event")
);

-- AddForeignKey
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

