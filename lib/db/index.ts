import { env } from "@/lib/env";
import { openDatabase, type Database, type DatabaseConfig } from "./open";

export { columnsOf, execute, query, queryText } from "./open";
export type { Database, DatabaseConfig };
export type { PrismaClient } from "./generated/client";
export { Prisma } from "./generated/client";

/** `create: false` connects only to an existing embedded database (the CLI). */
export function databaseConfig({ create = true } = {}): DatabaseConfig {
  const { DATABASE_URL, dataDir } = env();
  return DATABASE_URL ? { kind: "postgres", url: DATABASE_URL } : { kind: "embedded", dataDir, create };
}

// One database per process. Next bundles route handlers separately from the server (lib/server/serve.ts),
// so the handle lives on globalThis rather than in a module variable.
const slot = globalThis as typeof globalThis & { __ledgixDb?: Promise<Database> };

export function db(): Promise<Database> {
  slot.__ledgixDb ??= openDatabase(databaseConfig()).catch((error) => {
    slot.__ledgixDb = undefined;
    throw error;
  });
  return slot.__ledgixDb;
}

export async function prisma() {
  return (await db()).prisma;
}

export async function closeDb(): Promise<void> {
  const pending = slot.__ledgixDb;
  slot.__ledgixDb = undefined;
  if (pending) await (await pending).close();
}
