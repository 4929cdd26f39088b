import pg from "pg";

export interface Listener {
  /** Called with each notification's payload. */
  onNotify(payload: string): void;
  /** Called once LISTEN is in place, after every (re)connection: anything sent while away was missed. */
  onListening(): void;
  /** Called when the connection is lost, before reconnecting. */
  onLost?(): void;
}

/**
 * Holds one dedicated LISTEN connection on `channel`, reconnecting every `retryMs` after
 * a failure. Returns the function that stops it.
 */
export function listen(connection: pg.ClientConfig, channel: string, listener: Listener, retryMs: number): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const connect = async () => {
    const next = new pg.Client(connection);
    client = next;
    let lost = false;
    next.on("notification", (message) => listener.onNotify(message.payload ?? ""));
    const onLost = () => {
      if (lost) return;
      lost = true;
      listener.onLost?.();
      void next.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => void connect(), retryMs);
    };
    next.on("error", onLost);
    next.on("end", onLost);
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      if (!lost) listener.onListening();
    } catch {
      onLost();
    }
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
