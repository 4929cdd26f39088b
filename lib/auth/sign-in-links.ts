import { createHash, hkdfSync } from "node:crypto";
import { masterKey } from "@/lib/keys/master-key";
import { publicUrl } from "./public-url";

// Sign-in links and sessions as NextAuth makes them, for code that makes its own (invitations,
// password sign-in, the CLI) without loading NextAuth's configuration and the request context it needs.

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;
export const LINK_MAX_AGE_SECONDS = 24 * 3600;

/** NEXTAUTH_SECRET, else one derived from the master key so a fresh install needs no extra setting. */
export function authSecret(): string {
  return process.env.NEXTAUTH_SECRET ?? Buffer.from(hkdfSync("sha256", masterKey(), Buffer.alloc(0), "ledgix nextauth secret", 32)).toString("hex");
}

/** How NextAuth stores a sign-in link's token (its `hashToken`): the link itself is never stored. */
export const hashLinkToken = (token: string) => createHash("sha256").update(`${token}${authSecret()}`).digest("hex");

/** `callback/email` URL that NextAuth's email provider accepts, for a token already stored hashed. */
export const signInLinkUrl = (email: string, token: string) =>
  `${publicUrl()}/api/auth/callback/email?${new URLSearchParams({ callbackUrl: `${publicUrl()}/overview`, token, email })}`;
