// Starts the real Ledgix server (the repository's server.mjs on its `next build` output)
// twice: one deciding at once, one answering every request `processing` first.
import type { TestProject } from "vitest/node";
import { startServer, type DatabaseKind, type RunningServer, type ServerInfo } from "../../../../tests/fixtures/server";

declare module "vitest" {
  export interface ProvidedContext {
    vault: ServerInfo;
    asyncVault: ServerInfo;
  }
}

let running: RunningServer[] = [];

export async function setup(project: TestProject) {
  // PostgreSQL starts faster than the embedded database; `npm test` provides one.
  const kind: DatabaseKind = process.env.LEDGIX_TEST_DATABASE_URL ? "postgres" : "embedded";
  const fastLedger = { LEDGIX_SEQUENCER_INTERVAL_MS: "100", LEDGIX_CHECKPOINT_INTERVAL_MS: "200" };
  const started = await Promise.allSettled([startServer(kind, fastLedger), startServer(kind, { LEDGIX_DECISION_WAIT_MS: "0" })]);
  running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  const [vault, asyncVault] = running.map(({ kind, url, env }) => ({ kind, url, env }));
  project.provide("vault", vault!);
  project.provide("asyncVault", asyncVault!);
}

export async function teardown() {
  await Promise.all(running.map((server) => server.stop()));
}
