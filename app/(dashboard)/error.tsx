"use client";
import { Button } from "@/components/ui/button";

// Error boundary for every dashboard screen: says what happened and offers a retry.
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto mt-24 max-w-md text-center">
      <h1 className="text-lg font-semibold">This screen could not load</h1>
      <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
        {error.message && !error.digest ? error.message : "The server hit an error. Retry; if it keeps failing, the server log has the details"}
        {error.digest && <> (reference <code className="font-mono">{error.digest}</code>)</>}.
      </p>
      <Button className="mt-4" onClick={reset}>Retry</Button>
    </div>
  );
}
