import type { Metadata } from "next";
import { OutboxNotice } from "@/components/email/outbox-notice";
import { InviteForm, MemberRowControls } from "@/components/members/member-controls";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { can, ROLE_DESCRIPTIONS, ROLES, isRole } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listMembers } from "@/lib/members/members";
import { listReviewerGroups } from "@/lib/members/reviewer-groups";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const member = await requireMember("view");
  const client = await prisma();
  const [members, groups] = await Promise.all([listMembers(client, member.tenant.id), listReviewerGroups(client, member.tenant.id)]);
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
      <p className="mb-3 text-sm text-zinc-500">A policy rule&apos;s <code className="font-mono">reviewers: [group]</code> lets only these members vote on its reviews (viewers never vote). Manage them with: npx ledgix member group create|add|remove --tenant {member.tenant.name} …</p>
      <Card className="overflow-hidden" data-testid="reviewer-groups">
        {groups.length === 0 ? <p className="p-4 text-sm text-zinc-500">No reviewer groups: any reviewer may decide any review.</p> : (
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
              <tr><th className="px-4 py-2 font-medium">Group</th><th className="px-4 py-2 font-medium">Members</th></tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.name} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60">
                  <td className="px-4 py-2 font-mono">{g.name}</td>
                  <td className="px-4 py-2">{g.members.length > 0 ? g.members.join(", ") : <span className="text-zinc-500">nobody yet</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
