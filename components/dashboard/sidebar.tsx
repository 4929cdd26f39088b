"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Bell, BookOpen, FileCode, Inbox, KeyRound, LayoutDashboard, ListTree, LogOut, ScrollText, Settings, Stamp, Users } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ThemeToggle } from "@/components/theme-toggle";
import type { NAVIGATION } from "@/lib/auth/access";
import { signOutAction, switchTenantAction } from "@/lib/auth/actions";
import { cn } from "@/lib/utils";
import { usePendingReviews } from "./use-pending-reviews";

const ICONS = { Bell, BookOpen, LayoutDashboard, Inbox, ListTree, FileCode, KeyRound, ScrollText, Settings, Stamp, Users };

interface Props {
  items: (typeof NAVIGATION)[number][];
  tenant: { id: string; name: string };
  tenants: { id: string; name: string; role: string }[];
  user: { email: string };
  role: string;
}

export function Sidebar({ items, tenant, tenants, user, role }: Props) {
  const pathname = usePathname();
  const { data } = usePendingReviews();
  return (
    <aside className="sticky top-0 flex h-screen w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/50">
      <div className="border-b border-zinc-200 p-3 dark:border-zinc-800">
        <form action={switchTenantAction} className="flex items-center gap-2">
          <div className="flex size-7 shrink-0 items-center justify-center rounded-md bg-accent text-sm font-bold text-accent-foreground">L</div>
          <label htmlFor="tenant-switcher" className="sr-only">Tenant</label>
          <select id="tenant-switcher" name="tenantId" defaultValue={tenant.id} onChange={(e) => e.currentTarget.form?.requestSubmit()}
            className="min-w-0 flex-1 truncate rounded-md bg-transparent py-1 text-sm font-semibold hover:bg-zinc-200 dark:hover:bg-zinc-800">
            {tenants.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </form>
      </div>
      <nav aria-label="Main" className="flex-1 space-y-0.5 p-2">
        {items.map((item) => {
          const Icon = ICONS[item.icon];
          const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <Link key={item.href} href={item.href} aria-current={active ? "page" : undefined}
              className={cn("flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100",
                active && "bg-zinc-200/80 font-medium text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100")}>
              <Icon className="size-4" />
              <span className="flex-1">{item.label}</span>
              {item.href === "/reviews" && data && data.pendingCount > 0 && (
                <span data-testid="pending-count" className="rounded-full bg-amber-500 px-1.5 text-xs font-semibold text-white tabular-nums">{data.pendingCount}</span>
              )}
            </Link>
          );
        })}
      </nav>
      <div className="flex items-center gap-1 border-t border-zinc-200 p-3 dark:border-zinc-800">
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium" title={user.email}>{user.email}</p>
          <p className="text-xs text-zinc-500">{role}</p>
        </div>
        <ThemeToggle />
        <form action={signOutAction}>
          <Button variant="ghost" size="icon" aria-label="Sign out" title="Sign out"><LogOut /></Button>
        </form>
      </div>
    </aside>
  );
}
