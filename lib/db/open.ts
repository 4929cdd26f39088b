import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { Prisma, PrismaClient } from "./generated/client";
import { lockDataDir } from "./data-dir-lock";
import { applyMigrations } from "./migrate";

export type DatabaseConfig = { kind: "postgres"; url: string } | { kind: "embedded"; dataDir: string };

/** Plain SQL beside Prisma: multi-statement scripts (migrations) and advisory locks. */
export interface RawSql {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  exec(script: string): Promise<void>;
}

export interface Database {
  kind: DatabaseConfig["kind"];
  prisma: PrismaClient;
  sql: RawSql;
  close(): Promise<void>;
}

// A statement through Prisma's query pipeline costs about as much Node CPU as the rest of
// a decision, so the hottest writes go straight to the pg pool behind the client.
type Execute = (statement: Prisma.Sql) => Promise<number>;
const executors = new WeakMap<PrismaClient, Execute>();

/** Runs one statement outside any transaction; returns the rows it affected. */
export function execute(prisma: PrismaClient, statement: Prisma.Sql): Promise<number> {
  return (executors.get(prisma) ?? ((s) => prisma.$executeRaw(s)))(statement);
}

// pg would send a Date in local time, which a `timestamp` column takes without its offset.
const pgValue = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

async function openEmbedded(dataDir: string): Promise<Database> {
  const unlock = lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(path.join(dataDir, "pgdata"));
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      kind: "embedded",
      prisma,
      sql: {
        query: async <T>(text: string, params?: unknown[]) => (await pglite.query<T>(text, params)).rows,
        exec: async (script) => void (await pglite.exec(script)),
      },
      async close() {
        await prisma.$disconnect();
        await pglite.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  executors.set(prisma, async (statement) => (await pool.query(statement.text, statement.values.map(pgValue))).rowCount ?? 0);
  // Session-level advisory locks need one connection for lock, work and unlock.
  const session = await pool.connect();
  return {
    kind: "postgres",
    prisma,
    sql: {
      query: async <T>(text: string, params?: unknown[]) => (await session.query(text, params)).rows as T[],
      exec: async (script) => void (await session.query(script)),
    },
    async close() {
      session.release();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const db = config.kind === "postgres" ? await openPostgres(config.url) : await openEmbedded(config.dataDir);
  try {
    await applyMigrations(db.sql);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
