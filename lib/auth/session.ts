import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db";
import { can, isRole, type Permission, type Role } from "./access";
import { authOptions } from "./next-auth";
import { sessionCookieName } from "./public-url";
import { isSameOrigin } from "./same-origin";

export const TENANT_COOKIE = "ledgix-tenant";

export interface Member {
  user: { id: string; email: string; name: string | null };
  tenant: { id: string; name: string };
  role: Role;
  /** Every tenant this person belongs to, for the switcher. */
  tenants: { id: string; name: string; role: Role }[];
}

/** The signed-in person and their active tenant, or null. */
export async function currentMember(): Promise<Member | null> {
  // No session cookie, no database: an anonymous visitor (or `next build` prerendering the
  // sign-in page) must not open, or start, the database.
  const jar = await cookies();
  if (!jar.has(sessionCookieName())) return null;
  const session = await getServerSession(await authOptions());
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) return null;
  const client = await prisma();
  const user = await client.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, memberships: { select: { role: true, tenant: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" } } },
  });
  if (!user || user.memberships.length === 0) return null;
  const tenants = user.memberships.filter((m) => isRole(m.role)).map((m) => ({ ...m.tenant, role: m.role as Role }));
  const wanted = jar.get(TENANT_COOKIE)?.value;
  const active = tenants.find((t) => t.id === wanted) ?? tenants[0];
  if (!active) return null;
  return { user: { id: user.id, email: user.email, name: user.name }, tenant: { id: active.id, name: active.name }, role: active.role, tenants };
}

/** For pages: the member, or a redirect to sign-in; a missing permission is a 403 page. */
export async function requireMember(permission: Permission = "view"): Promise<Member> {
  const member = await currentMember();
  if (!member) redirect("/sign-in");
  if (!can(member.role, permission)) throw new ApiError("forbidden", `Your role (${member.role}) may not do this.`);
  return member;
}

/** For server actions and route handlers: the member with the permission, or an ApiError (401/403). */
export async function authorize(permission: Permission): Promise<Member> {
  const member = await currentMember();
  if (!member) throw new ApiError("unauthenticated", "Sign in first.");
  if (!can(member.role, permission)) throw new ApiError("forbidden", `Your role (${member.role}) may not do this.`);
  return member;
}

/**
 * For a dashboard route handler that changes or costs something: the member, if the request
 * comes from the dashboard's own pages. Server actions get this check from Next.js; a route
 * handler must make it itself, or another site could post with the member's cookie.
 */
export async function authorizeSameOrigin(req: Request, permission: Permission): Promise<Member> {
  if (!isSameOrigin(req)) throw new ApiError("forbidden", "Cross-site request refused.");
  return authorize(permission);
}
