"use client";
import { Ban } from "lucide-react";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/input";
import { revokeGrantAction } from "@/lib/grants/actions";

export function RevokeGrantButton({ id }: { id: string }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button variant="ghost" size="sm" disabled={pending} data-testid="revoke-grant"
        onClick={() => start(async () => { const r = await revokeGrantAction(id); setError(r.ok ? undefined : r.error); })}>
        <Ban />Revoke
      </Button>
      {error && <FieldError>{error}</FieldError>}
    </span>
  );
}
