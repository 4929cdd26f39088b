import { Skeleton } from "@/components/ui/card";

export default function Loading() {
  return (
    <div>
      <Skeleton className="mb-2 h-7 w-40" />
      <Skeleton className="mb-6 h-4 w-96" />
      <div className="grid gap-4 lg:grid-cols-[360px_1fr]">
        <div className="space-y-2">{Array.from({ length: 6 }, (_, i) => <Skeleton key={i} className="h-16" />)}</div>
        <Skeleton className="h-96" />
      </div>
    </div>
  );
}
