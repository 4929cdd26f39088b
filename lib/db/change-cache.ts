import type pg from "pg";
import { listen } from "./listen";

// Per-process caches of what nearly every API request reads and almost nothing changes:
// an API key with its tenant, the policy a request resolves to. An entry lives a few seconds,
// and only while this process is sure to hear of every change that could make it wrong:
// triggers (migration 20261202100000) NOTIFY this channel in the transaction that revokes or
// re-scopes a key, changes a tenant, or activates, adds or removes a policy. Each process
// LISTENs on one dedicated connection and empties every cache on any notification (such
// changes are rare); while that connection is down nothing is cached (fail closed).
export const CHANGES_CHANNEL = "ledgix_cached_changes";
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const RELISTEN_MS = 1_000;

interface Registry {
  listening: boolean;
  /** Bumped on every change heard: a load that began before it must not be cached after it. */
  generation: number;
  caches: Map<string, Map<string, { value: unknown; until: number }>>;
  stop(): Promise<void>;
}

// One per process, started with the server (lib/start-up.ts): Next bundles its own copies of
// this module, and all must share it. Absent (the CLI, tests) means no caching.
const slot = globalThis as typeof globalThis & { __ledgixChangeCaches?: Registry };

function forgetAll(registry: Registry) {
  registry.generation++;
  for (const entries of registry.caches.values()) entries.clear();
}

export function startChangeListener(connection: pg.ClientConfig): void {
  if (slot.__ledgixChangeCaches) return;
  const registry: Registry = { listening: false, generation: 0, caches: new Map(), stop: async () => undefined };
  registry.stop = listen(connection, CHANGES_CHANNEL, {
    onNotify: () => forgetAll(registry),
    onListening: () => {
      forgetAll(registry); // changes made while we were away were not heard
      registry.listening = true;
    },
    onLost: () => {
      registry.listening = false;
      forgetAll(registry);
    },
  }, RELISTEN_MS);
  slot.__ledgixChangeCaches = registry;
}

export async function stopChangeListener(): Promise<void> {
  const registry = slot.__ledgixChangeCaches;
  slot.__ledgixChangeCaches = undefined;
  if (!registry) return;
  registry.listening = false;
  forgetAll(registry);
  await registry.stop();
}

/**
 * For a change this process has just committed: forgets every cache now rather than when the
 * change's own NOTIFY comes back through the LISTEN connection, so this process's next request
 * sees it. On a loaded machine a policy activated through the API was otherwise not yet in force
 * for the clearance sent right after. Other processes still learn of it by the NOTIFY.
 */
export function forgetCachedChanges(): void {
  const registry = slot.__ledgixChangeCaches;
  if (registry) forgetAll(registry);
}

/**
 * `load()`'s value for `key` in the cache called `name`: from the cache when fresh and
 * trusted, else loaded (and kept, unless a change was heard meanwhile). Undefined is never kept.
 */
export async function cached<T>(name: string, key: string, load: () => Promise<T>): Promise<T> {
  const registry = slot.__ledgixChangeCaches;
  if (!registry?.listening) return load();
  let entries = registry.caches.get(name);
  if (!entries) registry.caches.set(name, (entries = new Map()));
  const hit = entries.get(key);
  if (hit && hit.until > Date.now()) return hit.value as T;
  const before = registry.generation;
  const value = await load();
  if (value !== undefined && registry.listening && registry.generation === before) {
    entries.delete(key);
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(key, { value, until: Date.now() + TTL_MS });
  }
  return value;
}
