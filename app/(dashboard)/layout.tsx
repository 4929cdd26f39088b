import type { ReactNode } from "react";
import { Providers } from "@/components/dashboard/providers";
import { Sidebar } from "@/components/dashboard/sidebar";
import { ServiceWorkerRegistration } from "@/components/push/service-worker";
import { can, NAVIGATION } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const member = await requireMember();
  return (
    <Providers>
      <ServiceWorkerRegistration />
      <div className="min-h-screen md:flex">
        <Sidebar items={NAVIGATION.filter((item) => can(member.role, item.permission))} tenant={member.tenant} tenants={member.tenants} user={member.user} role={member.role} />
        <main className="min-w-0 flex-1 px-4 py-4 md:px-8 md:py-6">{children}</main>
      </div>
    </Providers>
  );
}
