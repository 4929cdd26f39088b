interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Batches written at once: a lone call is written at once while a slot is free. */
  slots: number;
  /** Items per batch at most. */
  max: number;
}

/**
 * Group commit: `write` stores a batch of items in one statement. While every slot is
 * busy, calls queue up and the next free slot writes them all at once, so under load
 * statements, round trips and commits are shared by many items, and an idle system
 * adds no delay. Each call resolves once its item is durable. A failed batch is retried
 * one item at a time, so a bad item fails alone.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<unknown>, { slots, max }: GroupCommitOptions) {
  const queue: Pending<T>[] = [];
  let busy = 0;

  async function settle(batch: Pending<T>[]): Promise<void> {
    try {
      await write(batch.map((p) => p.item));
      batch.forEach((p) => p.resolve());
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else await Promise.all(batch.map((p) => settle([p])));
    }
  }

  async function drain() {
    if (busy >= slots || queue.length === 0) return;
    busy++;
    try {
      await settle(queue.splice(0, max));
    } finally {
      busy--;
      void drain();
    }
  }

  return (item: T) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      void drain();
    });
}
