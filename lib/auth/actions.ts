"use server";
// Server actions for signing in and out and switching tenants. Next.js rejects a server
// action whose Origin differs from the Host, which is their CSRF protection.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db";
import { sessionCookieName, publicUrl } from "./public-url";
import { emailSchema } from "./passwords";
import { signInWithPassword } from "./password-sign-in";
import { clientIp } from "./client-ip";
import { currentMember, TENANT_COOKIE } from "./session";

export interface FormState {
  error?: string;
  fieldErrors?: Record<string, string>;
  ok?: string;
  /** The email as it was typed, so a refused sign-in keeps it in the field (React resets the form after an action). */
  email?: string;
}

const credentialsSchema = z.object({ email: emailSchema, password: z.string().min(1, "Enter your password").max(256) });

export async function passwordSignInAction(_prev: FormState, form: FormData): Promise<FormState> {
  // Anyone may post anything to an action; only the sign-in form's fields are read.
  if (!(form instanceof FormData)) return { error: "Sign in with the form." };
  const typed = form.get("email");
  const email = typeof typed === "string" ? typed.slice(0, 254) : "";
  const parsed = credentialsSchema.safeParse({ email: typed, password: form.get("password") });
  if (!parsed.success) return { email, fieldErrors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])) };
  try {
    const session = await signInWithPassword(await prisma(), { ...parsed.data, ip: await clientIp() });
    (await cookies()).set(sessionCookieName(), session.sessionToken, {
      httpOnly: true, sameSite: "lax", path: "/", secure: publicUrl().startsWith("https://"), expires: session.expires,
    });
  } catch (error) {
    if (error instanceof ApiError) return { email, error: error.message };
    throw error;
  }
  redirect("/overview");
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(sessionCookieName())?.value;
  if (token) await (await prisma()).session.deleteMany({ where: { sessionToken: token } });
  jar.delete(sessionCookieName());
  redirect("/sign-in");
}

export async function switchTenantAction(form: FormData): Promise<void> {
  const member = await currentMember();
  if (!member) redirect("/sign-in");
  const tenantId = String(form.get("tenantId"));
  // Only a tenant the person belongs to; the cookie is re-checked on every request anyway.
  if (member.tenants.some((t) => t.id === tenantId)) (await cookies()).set(TENANT_COOKIE, tenantId, { httpOnly: true, sameSite: "lax", path: "/" });
  redirect("/overview");
}
