// Migrations: no drift between prisma/schema.prisma and prisma/migrations; the runner is
// idempotent, keeps Prisma's bookkeeping, refuses edited migrations, and is safe when two
// processes start at once on PostgreSQL.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, listMigrations } from "@/lib/db/migrate";
import { openDatabase, type RawSql } from "@/lib/db/open";
import { rawSqlOf, scratchServer } from "../../fixtures/scratch-databases";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const migrationsDir = path.join(repoRoot, "prisma", "migrations");
const tempDirs: string[] = [];
let scratch: Awaited<ReturnType<typeof scratchServer>>;

afterAll(async () => {
  await scratch?.stop();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of prisma/migrations in a temp directory, to edit freely. */
function copyOfMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-migrations-"));
  tempDirs.push(dir);
  fs.cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

type Query = (text: string) => Promise<Record<string, unknown>[]>;

/** Everything about schema `public` that a migration can change, minus Prisma's bookkeeping table. */
async function catalogSnapshot(query: Query) {
  const tables = await query(`
    SELECT table_name, table_type FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    ORDER BY table_name`);
  const columns = await query(`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
           character_maximum_length, numeric_precision, numeric_scale, datetime_precision,
           is_identity, is_generated, generation_expression
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    ORDER BY table_name, column_name`);
  const indexes = await query(`
    SELECT tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
    ORDER BY tablename, indexname`);
  const constraints = await query(`
    SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype::text AS contype,
           pg_get_constraintdef(c.oid) AS definition
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname = 'public' AND c.conrelid::regclass::text NOT IN ('_prisma_migrations', '"_prisma_migrations"')
      -- PostgreSQL 18 (embedded) also lists NOT NULL as constraints; 15 does not. Columns carry nullability.
      AND c.contype <> 'n'
    ORDER BY 1, 2`);
  const types = await query(`
    SELECT t.typname, t.typtype::text AS typtype,
           coalesce(string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder), '') AS labels
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
    GROUP BY t.typname, t.typtype ORDER BY 1`);
  const sequences = await query(`
    SELECT sequence_name, data_type FROM information_schema.sequences
    WHERE sequence_schema = 'public' ORDER BY 1`);
  return { tables, columns, indexes, constraints, types, sequences };
}

const clientQuery = (db: pg.Client): Query => async (text) => (await db.query(text)).rows as Record<string, unknown>[];

// Built once for the whole file, on the embedded server: the schema straight from
// schema.prisma, and the one the migrations build.
let fromSchema: pg.Client;
let fromMigrations: pg.Client;

beforeAll(async () => {
  scratch = await scratchServer();
  const [diff, a, b] = await Promise.all([
    promisify(execFile)("bash", ["tools/prisma-diff/diff.sh", "empty", "prisma/schema.prisma"], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    }),
    scratch.freshClient(),
    scratch.freshClient(),
  ]);
  expect(diff.stdout).toMatch(/CREATE TABLE/);
  fromSchema = a;
  fromMigrations = b;
  await fromSchema.query(diff.stdout);
  const applied = await applyMigrations(rawSqlOf(fromMigrations));
  expect(applied).toEqual(listMigrations().map((m) => m.name));
});

describe("schema.prisma and prisma/migrations do not drift apart", () => {
  it("the catalog built from schema.prisma equals the one built by the migrations", async () => {
    const expected = await catalogSnapshot(clientQuery(fromSchema));
    const actual = await catalogSnapshot(clientQuery(fromMigrations));
    // Sanity: the snapshot sees the real schema, so an empty-vs-empty comparison cannot pass.
    expect(expected.tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["tenants", "api_keys", "policies", "policy_versions", "clearance_requests", "signing_keys", "idempotency_records"]),
    );
    expect(expected.columns.length).toBeGreaterThan(30);
    expect(expected.indexes.length).toBeGreaterThan(5);
    expect(expected.constraints.some((c) => c.contype === "f")).toBe(true);
    expect(actual).toEqual(expected);
  });

  it("the comparison notices a drifted column, default, nullability, index or constraint", async () => {
    const snapshot = () => catalogSnapshot(clientQuery(fromMigrations));
    const expected = await catalogSnapshot(clientQuery(fromSchema));
    const drifts: [string, string][] = [
      [`ALTER TABLE "tenants" ADD COLUMN "extra" TEXT`, `ALTER TABLE "tenants" DROP COLUMN "extra"`],
      [`ALTER TABLE "tenants" ALTER COLUMN "tokenTtlSeconds" SET DEFAULT 600`, `ALTER TABLE "tenants" ALTER COLUMN "tokenTtlSeconds" SET DEFAULT 300`],
      [`ALTER TABLE "clearance_requests" ALTER COLUMN "reasonCode" SET NOT NULL`, `ALTER TABLE "clearance_requests" ALTER COLUMN "reasonCode" DROP NOT NULL`],
      [`ALTER TABLE "clearance_requests" ALTER COLUMN "tokenIssuedAt" TYPE BIGINT`, `ALTER TABLE "clearance_requests" ALTER COLUMN "tokenIssuedAt" TYPE INTEGER`],
      [`CREATE INDEX "extra_idx" ON "signing_keys" ("createdAt")`, `DROP INDEX "extra_idx"`],
      [`ALTER TABLE "tenants" ADD CONSTRAINT "ttl_cap" CHECK ("tokenTtlSeconds" <= 3600)`, `ALTER TABLE "tenants" DROP CONSTRAINT "ttl_cap"`],
    ];
    for (const [drift, undo] of drifts) {
      await fromMigrations.query(drift);
      expect(await snapshot(), drift).not.toEqual(expected);
      await fromMigrations.query(undo);
      expect(await snapshot(), undo).toEqual(expected);
    }
  });
});

// These tests share one scratch database and run in order (vitest runs a file's tests sequentially).
describe("applyMigrations", () => {
  let sql: RawSql;
  beforeAll(async () => {
    sql = rawSqlOf(await scratch.freshClient());
  });

  it("applies every migration once, records Prisma-compatible bookkeeping, and a second run applies nothing", async () => {
    const migrations = listMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(await applyMigrations(sql)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(sql)).toEqual([]);

    const rows = await sql.query<{ id: string; migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }>(
      `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.checksum).toBe(createHash("sha256").update(migrations[i]!.sql).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("refuses a migration edited after it was applied, and releases its lock", async () => {
    expect(await applyMigrations(sql)).toEqual([]);
    const dir = copyOfMigrations();
    const [first] = listMigrations(dir);
    fs.appendFileSync(path.join(dir, first!.name, "migration.sql"), "\n-- edited later\n");
    await expect(applyMigrations(sql, dir)).rejects.toThrow(`Migration ${first!.name} was edited after it was applied.`);
    // The advisory lock was released: the untouched migrations still run (and find nothing to do).
    expect(await applyMigrations(sql)).toEqual([]);
    const locks = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
    expect(locks[0]!.n).toBe(0);
  });

  it("a failing migration is rolled back entirely and not recorded", async () => {
    expect(await applyMigrations(sql)).toEqual([]);
    const dir = copyOfMigrations();
    const name = "99991231235959_broken";
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), `ALTER TABLE "tenants" ADD COLUMN "half" TEXT;\nALTER TABLE "no_such_table" ADD COLUMN "x" TEXT;\n`);
    await expect(applyMigrations(sql, dir)).rejects.toThrow(new RegExp(`^Migration ${name} failed: `));
    const half = await sql.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'tenants' AND column_name = 'half'`);
    expect(half).toHaveLength(0);
    const recorded = await sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1`, [name]);
    expect(recorded).toHaveLength(0);
    // The database is usable afterwards, outside any aborted transaction.
    expect(await sql.query<{ one: number }>(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it("applies a new migration added later, and only that one", async () => {
    expect(await applyMigrations(sql)).toEqual([]);
    const dir = copyOfMigrations();
    const name = "99991231235959_add_note";
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), `ALTER TABLE "tenants" ADD COLUMN "note" TEXT;\n`);
    expect(await applyMigrations(sql, dir)).toEqual([name]);
    expect(await applyMigrations(sql, dir)).toEqual([]);
    const columns = await sql.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'tenants' AND column_name = 'note'`,
    );
    expect(columns).toHaveLength(1);
  });
});

describe("openDatabase on PostgreSQL", () => {
  const adminUrl = process.env.LEDGIX_TEST_DATABASE_URL;
  const created: string[] = [];

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /** A fresh, empty database on the test server; returns its URL. */
  async function freshDatabase(): Promise<string> {
    if (!adminUrl) throw new Error("LEDGIX_TEST_DATABASE_URL is not set: these tests need a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:55432/postgres).");
    const name = `ledgix_mig_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    await admin((client) => client.query(`CREATE DATABASE "${name}"`));
    created.push(name);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  afterAll(async () => {
    if (!adminUrl || created.length === 0) return;
    await admin(async (client) => {
      for (const name of created) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  });

  it("LEDGIX_TEST_DATABASE_URL is set (these tests never skip)", () => {
    if (!adminUrl) throw new Error("LEDGIX_TEST_DATABASE_URL is not set: the PostgreSQL migration tests need a server (e.g. postgres://postgres@127.0.0.1:55432/postgres).");
    expect(adminUrl).toMatch(/^postgres(ql)?:\/\//);
  });

  it("two processes opening a fresh database at once both succeed and each migration is applied exactly once", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([openDatabase({ kind: "postgres", url }), openDatabase({ kind: "postgres", url })]);
    try {
      expect(a.kind).toBe("postgres");
      expect(b.kind).toBe("postgres");
      const rows = await a.sql.query<{ migration_name: string; n: number }>(
        `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`,
      );
      expect(rows).toEqual(listMigrations().map((m) => ({ migration_name: m.name, n: 1 })));
      // Both handles work, and a later start finds nothing to apply.
      expect(await a.prisma.tenant.count()).toBe(0);
      expect(await b.prisma.tenant.count()).toBe(0);
      expect(await applyMigrations(b.sql)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("five concurrent opens of one fresh database also agree", async () => {
    const url = await freshDatabase();
    const handles = await Promise.all(Array.from({ length: 5 }, () => openDatabase({ kind: "postgres", url })));
    try {
      const rows = await handles[0]!.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0]!.n).toBe(listMigrations().length);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it("a failing migration is rolled back on PostgreSQL too, and the session stays usable", async () => {
    const url = await freshDatabase();
    const db = await openDatabase({ kind: "postgres", url });
    try {
      const dir = copyOfMigrations();
      const name = "99991231235959_broken";
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, "migration.sql"), `ALTER TABLE "tenants" ADD COLUMN "half" TEXT;\nSELECT 1/0;\n`);
      await expect(applyMigrations(db.sql, dir)).rejects.toThrow(new RegExp(`^Migration ${name} failed: .*division by zero`));
      expect(await db.sql.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'tenants' AND column_name = 'half'`)).toHaveLength(0);
      expect(await db.sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1`, [name])).toHaveLength(0);
      // The advisory lock was released: another session can take it at once.
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      try {
        const [row] = (await other.query(`SELECT pg_try_advisory_lock(7402614551) AS got`)).rows as { got: boolean }[];
        expect(row!.got).toBe(true);
      } finally {
        await other.end();
      }
      expect(await db.prisma.tenant.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("the schema built on PostgreSQL 15 matches the one built on the embedded server", async () => {
    const url = await freshDatabase();
    const db = await openDatabase({ kind: "postgres", url });
    try {
      const onPostgres = await catalogSnapshot((text) => db.sql.query<Record<string, unknown>>(text));
      expect(onPostgres.columns.length).toBeGreaterThan(30);
      expect(onPostgres).toEqual(await catalogSnapshot(clientQuery(fromMigrations)));
    } finally {
      await db.close();
    }
  });
});
