import { env } from "@/lib/env";

/** The dashboard's public URL: NEXTAUTH_URL, else LEDGIX_PUBLIC_URL, else this server on localhost. */
export function publicUrl(): string {
  process.env.NEXTAUTH_URL ??= env().LEDGIX_PUBLIC_URL ?? `http://localhost:${env().PORT}`;
  return process.env.NEXTAUTH_URL.replace(/\/$/, "");
}

export const sessionCookieName = () => `${publicUrl().startsWith("https://") ? "__Secure-" : ""}next-auth.session-token`;
