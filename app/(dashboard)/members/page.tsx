import type { Metadata } from "next";
import Link from "next/link";
import { OutboxNotice } from "@/components/email/outbox-notice";
import { InviteForm, MemberRowControls } from "@/components/members/member-controls";
import { CreateGroupForm, GroupMemberControls } from "@/components/members/reviewer-group-controls";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { can, ROLE_DESCRIPTIONS, ROLES, isRole } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listMembers } from "@/lib/members/members";
import { listReviewerGroups, rulesNamingGroups } from "@/lib/members/reviewer-groups";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const member = await requireMember("view");
  const client = await prisma();
  const [members, groups, usedBy] = await Promise.all([listMembers(client, member.tenant.id), listReviewerGroups(client, member.tenant.id), rulesNamingGroups(client, member.tenant.id)]);
  const manage = can(member.role, "manageMembers");
  return (
    <>
      <PageHeader title="Members" description={`People who can sign in to ${member.tenant.name}, and what each may do.`} />
      {manage && (
        <Card className="mb-6">
          <CardHeader><CardTitle>Invite someone</CardTitle></CardHeader>
          <div className="space-y-3 p-4"><OutboxNotice /><InviteForm roles={ROLES} /></div>
        </Card>
      )}
      <Card className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
            <tr><th className="px-4 py-2 font-medium">Email</th><th className="px-4 py-2 font-medium">Role</th><th className="px-4 py-2 font-medium">Sign-in</th><th className="px-4 py-2 font-medium">Added</th>{manage && <th className="px-4 py-2 text-right font-medium">Change</th>}</tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60">
                <td className="px-4 py-2">{m.email}{m.userId === member.user.id && <span className="ml-2 text-xs text-zinc-500">(you)</span>}</td>
                <td className="px-4 py-2"><Badge>{m.role}</Badge> <span className="text-xs text-zinc-500">{isRole(m.role) ? ROLE_DESCRIPTIONS[m.role] : ""}</span></td>
                <td className="px-4 py-2 text-zinc-500">{m.password ? "password or link" : "email link"}</td>
                <td className="px-4 py-2 text-zinc-500"><RelativeTime date={m.addedAt} /></td>
                {manage && <td className="px-4 py-2">{isRole(m.role) && m.userId !== member.user.id && <MemberRowControls email={m.email} role={m.role} roles={ROLES} />}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <h2 className="mt-8 mb-1 text-sm font-semibold">Reviewer groups</h2>
      <p className="mb-3 text-sm text-zinc-500">A policy rule&apos;s <code className="font-mono">reviewers: [group]</code> lets only these members vote on its reviews (viewers never vote). With no group named, any reviewer may decide.</p>
      <Card className="divide-y divide-zinc-100 dark:divide-zinc-800/60" data-testid="reviewer-groups">
        {manage && <div className="p-4"><CreateGroupForm /></div>}
        {groups.length === 0 && <p className="p-4 text-sm text-zinc-500">No reviewer groups: any reviewer may decide any review.</p>}
        {groups.map((g) => {
          const rules = usedBy.get(g.name) ?? [];
          return (
            <div key={g.name} className="space-y-2 p-4" data-testid="reviewer-group" aria-label={`Reviewer group ${g.name}`} role="group">
              <div className="flex flex-wrap items-baseline gap-x-3">
                <h3 className="font-mono font-medium">{g.name}</h3>
                <p className="text-xs text-zinc-500" data-testid="group-rules">
                  {rules.length === 0 ? "No active rule names it" : <>Reviewers of {rules.map((r, i) => <span key={`${r.policy}/${r.rule}`}>{i > 0 && ", "}<Link href="/policies" className="font-mono hover:underline">{r.policy}/{r.rule}</Link></span>)}</>}
                </p>
              </div>
              {manage
                ? <GroupMemberControls group={g.name} members={g.members} candidates={members.map((m) => m.email)} />
                : <p className="text-sm">{g.members.length > 0 ? g.members.join(", ") : <span className="text-zinc-500">nobody yet</span>}</p>}
            </div>
          );
        })}
      </Card>
    </>
  );
}
