import { PrismaAdapter } from "@next-auth/prisma-adapter";
import type { Adapter } from "next-auth/adapters";
import type { AuthOptions } from "next-auth";
import type { Provider } from "next-auth/providers/index";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import type { SignInMethod } from "@/lib/audit/events";
import { recordAuditEvent } from "@/lib/audit/record-event";
import { prisma } from "@/lib/db";
import { newId } from "@/lib/ids";
import { normalIdentity } from "@/lib/identity";
import { clientIp } from "./client-ip";
import { magicLinkRequest } from "./magic-link-request";
import { sendEmail } from "@/lib/email/send-email";
import { publicUrl } from "./public-url";
import { authSecret, LINK_MAX_AGE_SECONDS, SESSION_MAX_AGE_SECONDS } from "./sign-in-links";

// OAuth/OIDC providers exist only when their variables are set. Members are invited by
// email before they first sign in, so a provider's account is linked to the invited user of
// the same email; the signIn callback admits only an email the provider says it verified.
function oauthProviders(): Provider[] {
  const e = process.env;
  const providers: Provider[] = [];
  const linking = { allowDangerousEmailAccountLinking: true };
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) providers.push(GitHubProvider({ clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET, ...linking }));
  if (e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) providers.push(GoogleProvider({ clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, ...linking }));
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc", name: e.OIDC_NAME ?? "Single sign-on", type: "oauth", wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, idToken: true, checks: ["pkce", "state"], ...linking,
      authorization: { params: { scope: "openid email profile" } },
      profile: (p: { sub: string; email: string; name?: string }) => ({ id: p.sub, email: p.email, name: p.name ?? null }),
    });
  }
  return providers;
}

export const enabledOAuthProviders = () => oauthProviders().map((p) => ({ id: p.id, name: p.name }));

/** How NextAuth signed someone in: a one-time email link, or an OAuth/OIDC provider. */
const signInMethod = (accountType: string | undefined): SignInMethod => (accountType === "email" ? "email_link" : "oauth");

let cached: Promise<AuthOptions> | undefined;

/** NextAuth's configuration: database sessions through the Prisma adapter. */
export function authOptions(): Promise<AuthOptions> {
  return (cached ??= (async (): Promise<AuthOptions> => {
    const client = await prisma();
    // The adapter targets the classic client; the generated Prisma 7 client has the same model API.
    const base = PrismaAdapter(client as never) as Adapter;
    // Our ids are prefixed and sortable; the adapter would leave them to a database default we do not have.
    const adapter: Adapter = {
      ...base,
      // Stored lowercase (createUser); a provider may spell the address otherwise.
      getUserByEmail: (email: string) => base.getUserByEmail!(normalIdentity(email)),
      createUser: (user: { email: string; name?: string | null; emailVerified: Date | null; image?: string | null }) => client.user.create({ data: { id: newId("usr"), email: normalIdentity(user.email), name: user.name, emailVerified: user.emailVerified, image: user.image } }) as never,
      linkAccount: (account: Record<string, unknown>) => client.account.create({ data: { id: newId("acc"), ...account } as never }) as never,
      createSession: (session) => client.session.create({ data: { id: newId("ses"), ...session } }),
    };
    return {
      adapter,
      secret: authSecret(),
      session: { strategy: "database", maxAge: SESSION_MAX_AGE_SECONDS },
      useSecureCookies: publicUrl().startsWith("https://"),
      pages: { signIn: "/sign-in", verifyRequest: "/sign-in?sent=1", error: "/sign-in" },
      providers: [
        {
          id: "email", type: "email", name: "Email", maxAge: LINK_MAX_AGE_SECONDS, options: {},
          server: {}, from: "",
          async sendVerificationRequest({ identifier, url }) {
            // Listed in the development outbox of each tenant the person belongs to.
            const memberships = await client.membership.findMany({ where: { user: { email: normalIdentity(identifier) } }, select: { tenantId: true } });
            await sendEmail({
              to: identifier, subject: "Sign in to Ledgix",
              text: `Sign in to Ledgix: ${url}\n\nThe link works once, for 24 hours. If you did not ask for it, ignore this email.`,
              html: `<p><a href="${url}">Sign in to Ledgix</a></p><p>The link works once, for 24 hours. If you did not ask for it, ignore this email.</p>`,
            }, { tenantId: memberships.map((m) => m.tenantId) });
          },
        },
        ...oauthProviders(),
      ],
      callbacks: {
        // Only people already added to a tenant may sign in; links and OAuth never create strangers' accounts.
        async signIn({ user, account, profile, email: link }) {
          if (link?.verificationRequest) return magicLinkRequest(client, normalIdentity(user.email ?? ""), await clientIp());
          const email = normalIdentity(user.email ?? "");
          const refuse = async (code: string) => {
            await recordAuditEvent(client, { kind: "authentication.failed", data: { method: signInMethod(account?.type), email, address: await clientIp(), code } });
            return false;
          };
          // GitHub names only verified addresses; OIDC and Google say so in `email_verified`.
          if (account?.type === "oauth" && account.provider !== "github" && (profile as { email_verified?: unknown } | undefined)?.email_verified !== true) return refuse("email_not_verified");
          const found = await client.user.findUnique({ where: { email }, select: { memberships: { select: { tenantId: true }, take: 1 } } });
          return found?.memberships.length ? true : refuse("not_a_member");
        },
        session: ({ session, user }) => ({ ...session, user: { ...session.user, id: user.id } }),
      },
      events: {
        async signIn({ user, account }) {
          const data = { method: signInMethod(account?.type), email: normalIdentity(user.email ?? ""), user_id: user.id, address: await clientIp() };
          await recordAuditEvent(client, { kind: "authentication.succeeded", data });
        },
      },
    };
  })());
}
