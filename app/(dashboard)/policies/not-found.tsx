import Link from "next/link";
import { Card } from "@/components/ui/card";

/** A policy version or diff that does not exist in this tenant (or belongs to another). */
export default function PolicyNotFound() {
  return (
    <Card className="mx-auto mt-10 max-w-md p-8 text-center" data-testid="policy-not-found">
      <h1 className="text-lg font-semibold">No such policy version</h1>
      <p className="mt-2 text-sm text-zinc-500">It does not exist in this tenant. The link may be from another tenant, or mistyped.</p>
      <Link href="/policies" className="mt-4 inline-block text-sm font-medium text-accent hover:underline">← Back to policies</Link>
    </Card>
  );
}
