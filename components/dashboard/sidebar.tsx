"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { Bell, BookOpen, FileCode, Inbox, KeyRound, LayoutDashboard, ListTree, LogOut, Menu, ScrollText, Settings, Stamp, Users } from "lucide-react";
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

/**
 * The navigation: a column beside the page from `md` up; below it (phones), a top bar whose
 * menu button opens the same column as a drawer over the page.
 */
export function Sidebar({ items, tenant, tenants, user, role }: Props) {
  const pathname = usePathname();
  const { data } = usePendingReviews();
  const [open, setOpen] = useState(false);
  const pending = data && data.pendingCount > 0 ? data.pendingCount : 0;
  return (
    <>
      <header className="sticky top-0 z-30 flex items-center gap-2 border-b border-zinc-200 bg-zinc-50 px-2 py-1.5 md:hidden dark:border-zinc-800 dark:bg-zinc-900">
        <Button variant="ghost" size="icon" aria-label="Open menu" aria-expanded={open} aria-controls="sidebar" onClick={() => setOpen(true)}><Menu /></Button>
        <span className="min-w-0 flex-1 truncate text-sm font-semibold">{tenant.name}</span>
        {pending > 0 && <Link href="/reviews" className="rounded-full bg-amber-500 px-2 text-xs font-semibold text-white tabular-nums" aria-label={`${pending} pending reviews`}>{pending}</Link>}
      </header>
      {open && <div className="fixed inset-0 z-40 bg-black/40 md:hidden" aria-hidden onClick={() => setOpen(false)} />}
      <aside id="sidebar" onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
        className={cn("fixed inset-y-0 left-0 z-50 flex h-dvh w-64 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 transition-transform md:sticky md:top-0 md:z-auto md:h-screen md:w-60 md:translate-x-0 dark:border-zinc-800 dark:bg-zinc-900 md:dark:bg-zinc-900/50",
          !open && "max-md:invisible max-md:-translate-x-full")}>
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
              <Link key={item.href} href={item.href} aria-current={active ? "page" : undefined} onClick={() => setOpen(false)}
                className={cn("flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100",
                  active && "bg-zinc-200/80 font-medium text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100")}>
                <Icon className="size-4" />
                <span className="flex-1">{item.label}</span>
                {item.href === "/reviews" && pending > 0 && (
                  <span data-testid="pending-count" className="rounded-full bg-amber-500 px-1.5 text-xs font-semibold text-white tabular-nums">{pending}</span>
                )}
              </Link>
            );
          })}
        </nav>
        <div className="flex items-center gap-1 border-t border-zinc-200 p-3 dark:border-zinc-800">
          <Link href="/profile" onClick={() => setOpen(false)} aria-current={pathname === "/profile" ? "page" : undefined} title="Your profile and notifications"
            className="min-w-0 flex-1 rounded-md px-1 py-0.5 hover:bg-zinc-200/60 dark:hover:bg-zinc-800">
            <p className="truncate text-sm font-medium">{user.email}</p>
            <p className="text-xs text-zinc-500"><span>{role}</span> · profile</p>
          </Link>
          <ThemeToggle />
          <form action={signOutAction}>
            <Button variant="ghost" size="icon" aria-label="Sign out" title="Sign out"><LogOut /></Button>
          </form>
        </div>
      </aside>
    </>
  );
}
