"use client";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { activateVersionAction } from "@/lib/policy/actions";

export function ActivateButton({ versionId }: { versionId: string }) {
  const [pending, start] = useTransition();
  return <Button variant="outline" size="sm" disabled={pending} onClick={() => start(async () => void (await activateVersionAction(versionId)))}>Activate</Button>;
}
