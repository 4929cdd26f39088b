import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { RawSql } from "./open";

// bin/ledgix.mjs sets LEDGIX_APP_ROOT so the CLI finds them from any directory.
const MIGRATIONS_DIR = path.join(/*turbopackIgnore: true*/ process.env.LEDGIX_APP_ROOT ?? process.cwd(), "prisma", "migrations");
// Arbitrary constant: every Ledgix instance takes this advisory lock while migrating.
const MIGRATION_LOCK_ID = 7_402_614_551;

// The table `prisma migrate` keeps, so `prisma migrate status/deploy` still work on our databases.
const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string }[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

/** Applies pending migrations, each in its own transaction. Returns the names applied. */
export async function applyMigrations(sql: RawSql, dir = MIGRATIONS_DIR): Promise<string[]> {
  await sql.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_ID})`);
  try {
    await sql.exec(BOOKKEEPING);
    const done = await sql.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Map(done.map((row) => [row.migration_name, row.checksum]));
    const ran: string[] = [];
    for (const migration of listMigrations(dir)) {
      const checksum = createHash("sha256").update(migration.sql).digest("hex");
      const previous = applied.get(migration.name);
      if (previous !== undefined) {
        if (previous !== checksum) throw new Error(`Migration ${migration.name} was edited after it was applied.`);
        continue;
      }
      await sql.exec(`BEGIN;\n${migration.sql}\n;` +
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ('${randomUUID()}', '${checksum}', now(), '${migration.name.replace(/'/g, "''")}', 1);
         COMMIT;`).catch(async (error) => {
        await sql.exec("ROLLBACK").catch(() => undefined);
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
      });
      ran.push(migration.name);
    }
    return ran;
  } finally {
    await sql.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
  }
}
