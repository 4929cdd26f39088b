import type { Metadata } from "next";
import { KeyActions, CreateKeyButton } from "@/components/keys/key-dialogs";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { can } from "@/lib/auth/access";
import { listApiKeys } from "@/lib/auth/api-keys";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";

// A future revokedAt is a rotation still in its grace period.
const hasPassed = (at: Date | null) => at !== null && at.getTime() <= Date.now();

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  const member = await requireMember("view");
  const keys = await listApiKeys(await prisma(), member.tenant.id);
  const manage = can(member.role, "manageKeys");
  return (
    <>
      <PageHeader title="API keys" description="Keys your agents and SDKs send as X-Vault-API-Key. Only a hash is stored: a key is shown once, when created." action={manage && <CreateKeyButton />} />
      <Card className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
            <tr><th className="px-4 py-2 font-medium">Name</th><th className="px-4 py-2 font-medium">Key id</th><th className="px-4 py-2 font-medium">Scopes</th><th className="px-4 py-2 font-medium">Created</th><th className="px-4 py-2 font-medium">Last used</th><th className="px-4 py-2 font-medium">State</th><th /></tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const revoked = hasPassed(k.revokedAt);
              return (
                <tr key={k.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60" data-testid="key-row">
                  <td className="px-4 py-2 font-medium">{k.name}</td>
                  <td className="px-4 py-2 font-mono text-xs text-zinc-500">{k.id}</td>
                  <td className="px-4 py-2"><span className="flex gap-1">{k.scopes.map((scope) => <Badge key={scope}>{scope}</Badge>)}</span></td>
                  <td className="px-4 py-2 text-zinc-500"><RelativeTime date={k.createdAt} /></td>
                  <td className="px-4 py-2 text-zinc-500">{k.lastUsedAt ? <RelativeTime date={k.lastUsedAt} /> : "never"}</td>
                  <td className="px-4 py-2">
                    {revoked ? <Badge className="bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300">revoked</Badge>
                      : k.revokedAt ? <Badge className="bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300" >rotating, stops {k.revokedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</Badge>
                      : <Badge className="bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300">active</Badge>}
                  </td>
                  <td className="px-4 py-2 text-right">{/* Mounted while rotating too, so the dialog that shows the new key survives the refresh. */}
                    {manage && !revoked && <KeyActions id={k.id} name={k.name} canRotate={!k.revokedAt} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {keys.length === 0 && <p className="p-10 text-center text-sm text-zinc-500">No keys yet. {manage ? "Create one to send a first clearance request." : "An admin can create one."}</p>}
      </Card>
    </>
  );
}
