import type { PrismaClient } from "@/lib/db";
import { consume, reportLimited, type RateLimit } from "@/lib/rate-limit/rate-limit";
import { accountAtAddress } from "./password-sign-in";
import { publicUrl } from "./public-url";

// A sign-in link costs an email: limited per address asked for, from one client address, and
// per client address (issue 19, finding 11: twelve requests sent twelve emails). Both limits
// apply before anyone is looked up, so being limited says nothing about membership.
const PER_EMAIL_AND_ADDRESS: RateLimit = { name: "magic-link-email-address", points: 3, windowSeconds: 15 * 60 };
const PER_ADDRESS: RateLimit = { name: "magic-link-address", points: 10, windowSeconds: 15 * 60 };

/** Where NextAuth sends a browser once it has emailed a link: a stranger is sent there too. */
export const linkSentUrl = () => `${publicUrl()}/api/auth/verify-request?provider=email&type=email`;

/**
 * NextAuth's sign-in callback for a link request: true sends the link; a URL redirects there
 * without sending. A member and a stranger get the same answer ("check your email"), so the
 * form does not tell who is a member; only a member is sent a link.
 */
export async function magicLinkRequest(prisma: PrismaClient, email: string, ip: string): Promise<true | string> {
  const [byAddress, byEmail] = await Promise.all([consume(prisma, PER_ADDRESS, ip), consume(prisma, PER_EMAIL_AND_ADDRESS, accountAtAddress(email, ip))]);
  if (byAddress !== null || byEmail !== null) {
    await reportLimited(prisma, byAddress !== null ? PER_ADDRESS : PER_EMAIL_AND_ADDRESS, byAddress !== null ? ip : `${email} from ${ip}`, "sign-in link", { code: "rate_limited", address: ip });
    return `${publicUrl()}/sign-in?error=TooManyLinks`;
  }
  const member = await prisma.membership.findFirst({ where: { user: { email } }, select: { tenantId: true } });
  return member ? true : linkSentUrl();
}
