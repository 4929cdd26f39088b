import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";
import { auditEventStatement, recordAuditEvent } from "@/lib/audit/record-event";
import { consume, reportLimited, type RateLimit } from "@/lib/rate-limit/rate-limit";
import { SESSION_MAX_AGE_SECONDS } from "./sign-in-links";
import { dummyHash, verifyPassword } from "./passwords";

// Counted in PostgreSQL like the API's failed authentications, so every instance shares them.
// Per account only from one address: a count per account alone let anyone who knows a
// member's email lock them out from everywhere (issue 19, finding 7). Guessing one password
// from many addresses is bounded by each address's own limit.
const PER_ACCOUNT_AND_ADDRESS: RateLimit = { name: "sign-in-account-address", points: 10, windowSeconds: 15 * 60 };
const PER_ADDRESS: RateLimit = { name: "sign-in-address", points: 50, windowSeconds: 15 * 60 };

// Hashed so that any email (up to 254 characters) and address fit the counters' key column.
export const accountAtAddress = (email: string, ip: string) => createHash("sha256").update(`${email}\n${ip}`).digest("hex");

/**
 * Email + password sign-in. NextAuth v4's credentials provider only issues JWT
 * sessions, so this checks the password itself and writes the same database session
 * row NextAuth's adapter would; NextAuth then reads it like any other session.
 */
export async function signInWithPassword(prisma: PrismaClient, input: { email: string; password: string; ip: string }) {
  const [byAddress, byAccount] = await Promise.all([
    consume(prisma, PER_ADDRESS, input.ip),
    consume(prisma, PER_ACCOUNT_AND_ADDRESS, accountAtAddress(input.email, input.ip)),
  ]);
  const waitMs = Math.max(byAddress ?? 0, byAccount ?? 0);
  if (waitMs > 0) {
    await reportLimited(prisma, byAddress ? PER_ADDRESS : PER_ACCOUNT_AND_ADDRESS, byAddress ? input.ip : `${input.email} from ${input.ip}`, "sign-in", { code: "rate_limited", address: input.ip });
    const wait = Math.ceil(waitMs / 1000);
    throw new ApiError("rate_limited", `Too many sign-in attempts. Try again in ${Math.ceil(wait / 60)} min.`, undefined, { "Retry-After": String(wait) });
  }
  const user = await prisma.user.findUnique({
    where: { email: input.email },
    select: { id: true, passwordHash: true, memberships: { select: { tenantId: true }, take: 1 } },
  });
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  const attempt = { method: "password" as const, email: input.email, user_id: user?.id, address: input.ip };
  if (!user?.passwordHash || !valid || user.memberships.length === 0) {
    await recordAuditEvent(prisma, { kind: "authentication.failed", data: { ...attempt, code: "invalid_credentials" } });
    throw new ApiError("invalid_credentials", "That email and password do not match.");
  }
  const [session] = await prisma.$transaction([
    prisma.session.create({
      data: { id: newId("ses"), sessionToken: randomBytes(32).toString("hex"), userId: user.id, expires: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000) },
    }),
    prisma.$executeRaw(auditEventStatement({ kind: "authentication.succeeded", data: attempt })),
  ]);
  return { sessionToken: session.sessionToken, expires: session.expires };
}
