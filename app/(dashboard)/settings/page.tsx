import type { Metadata } from "next";
import { SettingsForm } from "@/components/settings/settings-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const member = await requireMember("view");
  const settings = await (await prisma()).tenant.findUniqueOrThrow({
    where: { id: member.tenant.id }, select: { minimumConfidenceBucket: true, tokenTtlSeconds: true, ledgerCanonicalVersion: true, reviewTimeoutSeconds: true, reviewFourEyes: true },
  });
  return (
    <>
      <PageHeader title="Settings" description={`How ${member.tenant.name} decides, signs and records requests.`} />
      <SettingsForm settings={settings} disabled={!can(member.role, "manageSettings")} />
    </>
  );
}
