import { Skeleton } from "./card";

/** The loading state of a list screen: title, description, filters and rows. */
export function PageSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading">
      <Skeleton className="mb-2 h-7 w-40" />
      <Skeleton className="mb-6 h-4 w-96" />
      <Skeleton className="mb-2 h-10" />
      <div className="space-y-2">{Array.from({ length: 8 }, (_, i) => <Skeleton key={i} className="h-10" />)}</div>
    </div>
  );
}
