import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForms } from "@/components/auth/sign-in-forms";
import { OutboxNotice } from "@/components/email/outbox-notice";
import { BrandMark } from "@/components/ui/brand-mark";
import { enabledOAuthProviders } from "@/lib/auth/next-auth";
import { currentMember } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign in" };
// Reads the session cookie; never prerendered (that would open the database at build time).
export const dynamic = "force-dynamic";

const ERRORS: Record<string, string> = {
  Verification: "That sign-in link has expired or was already used. Ask for a new one.",
  AccessDenied: "That account is not a member of any tenant. Ask an owner to add you.",
  TooManyLinks: "Too many sign-in links were asked for. Try again in 15 minutes, or sign in with your password.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ sent?: string; error?: string }> }) {
  if (await currentMember()) redirect("/overview");
  const { sent, error } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center bg-zinc-50 p-6 dark:bg-zinc-950">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <BrandMark className="mx-auto mb-3" />
          <h1 className="text-xl font-semibold">Sign in to Ledgix</h1>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">The clearance vault for your agents</p>
        </div>
        {sent && <p role="status" className="mb-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">Check your email for a sign-in link.</p>}
        {error && <p role="alert" className="mb-4 rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">{ERRORS[error] ?? "Sign-in failed. Try again."}</p>}
        <SignInForms oauth={enabledOAuthProviders()} />
        <OutboxNotice className="mt-4" />
        <p className="mt-6 text-center text-xs text-zinc-500">First install? <code className="font-mono">npx ledgix member add --tenant … --email … --role owner</code></p>
      </div>
    </main>
  );
}
