import type { Metadata } from "next";
import { DeviceList, DeviceNotificationsCard } from "@/components/push/device-notifications";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { can, ROLE_DESCRIPTIONS } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listPushDevices } from "@/lib/push/subscriptions";
import { vapidKeys } from "@/lib/push/vapid-keys";

export const metadata: Metadata = { title: "Profile" };

// A person's own page, across their tenants: unlike Notifications (the tenant's shared
// channels, set by admins), what is here belongs to the signed-in person and nobody else sees it.
export default async function ProfilePage() {
  const member = await requireMember("view");
  const client = await prisma();
  const [devices, { publicKey }] = await Promise.all([listPushDevices(client, member.user.id), vapidKeys(client)]);
  return (
    <>
      <PageHeader title="Profile" description="You, across your tenants, and how Ledgix reaches you when a review needs you." />
      <div className="max-w-3xl space-y-4">
        <DeviceNotificationsCard vapidPublicKey={publicKey} devices={devices} />
        <DeviceList devices={devices} />
        <Card>
          <CardHeader><CardTitle>Account</CardTitle></CardHeader>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 p-4 text-sm">
            <dt className="text-zinc-500 dark:text-zinc-400">Email</dt>
            <dd className="min-w-0 truncate">{member.user.email}</dd>
            {member.user.name && <><dt className="text-zinc-500 dark:text-zinc-400">Name</dt><dd>{member.user.name}</dd></>}
          </dl>
          <ul className="divide-y divide-zinc-200 border-t border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {member.tenants.map((tenant) => (
              <li key={tenant.id} className="flex flex-wrap items-baseline gap-x-3 px-4 py-2.5 text-sm">
                <span className="font-medium">{tenant.name}</span>
                <span className="text-zinc-500 dark:text-zinc-400">{tenant.role}: {ROLE_DESCRIPTIONS[tenant.role].toLowerCase()}</span>
                <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">{can(tenant.role, "decideReviews") ? "Review notifications reach you here" : "No reviews: this role does not decide them"}</span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
