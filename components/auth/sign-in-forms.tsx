"use client";
import { signIn } from "next-auth/react";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { Card } from "@/components/ui/card";
import { passwordSignInAction, type FormState } from "@/lib/auth/actions";

export function SignInForms({ oauth }: { oauth: { id: string; name: string }[] }) {
  const [state, action, pending] = useActionState<FormState, FormData>(passwordSignInAction, {});
  const [linkEmail, setLinkEmail] = useState("");
  return (
    <Card className="p-6">
      <form action={action} className="space-y-4" noValidate>
        <div className="space-y-1.5">
          <Label htmlFor="email">Email</Label>
          <Input id="email" name="email" type="email" autoComplete="email" required defaultValue={state.email} aria-invalid={Boolean(state.fieldErrors?.email)} onChange={(e) => setLinkEmail(e.target.value)} />
          {state.fieldErrors?.email && <FieldError>{state.fieldErrors.email}</FieldError>}
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="password">Password</Label>
          <Input id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={Boolean(state.fieldErrors?.password)} />
          {state.fieldErrors?.password && <FieldError>{state.fieldErrors.password}</FieldError>}
        </div>
        {state.error && <FieldError>{state.error}</FieldError>}
        <Button type="submit" className="w-full" disabled={pending}>{pending ? "Signing in…" : "Sign in"}</Button>
      </form>
      <div className="my-4 flex items-center gap-3 text-xs text-zinc-400"><span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />or<span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" /></div>
      <div className="space-y-2">
        {/* NextAuth's email provider: its own CSRF token, then a one-time link by email. */}
        <Button variant="outline" className="w-full" disabled={!linkEmail} onClick={() => void signIn("email", { email: linkEmail, callbackUrl: "/overview" })}>
          Email me a sign-in link
        </Button>
        {oauth.map((p) => (
          <Button key={p.id} variant="outline" className="w-full" onClick={() => void signIn(p.id, { callbackUrl: "/overview" })}>
            Continue with {p.name}
          </Button>
        ))}
      </div>
    </Card>
  );
}
