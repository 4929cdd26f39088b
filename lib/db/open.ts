import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { attachEmbeddedServer } from "./embedded-server";
import { Prisma, PrismaClient } from "./generated/client";
import { ensureJobQueueSchema } from "./job-queue-schema";
import { applyMigrations } from "./migrate";

/** `create: false` (the CLI) refuses to initialise a new embedded cluster. */
export type DatabaseConfig = { kind: "postgres"; url: string } | { kind: "embedded"; dataDir: string; create?: boolean };

/** Plain SQL beside Prisma: multi-statement scripts (migrations) and advisory locks. */
export interface RawSql {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  exec(script: string): Promise<void>;
}

export interface Database {
  kind: DatabaseConfig["kind"];
  /** What `pg` (and graphile-worker) needs to open more connections to the same database. */
  connection: pg.ClientConfig;
  prisma: PrismaClient;
  sql: RawSql;
  close(): Promise<void>;
}

// A statement through Prisma's query pipeline costs Node about as much CPU as the rest of
// a decision or a proof, so the hottest statements go straight to the pg pool behind the client.
interface Direct {
  execute(statement: Prisma.Sql): Promise<number>;
  query<T>(statement: Prisma.Sql): Promise<T[]>;
  queryText<T>(text: string, values: unknown[]): Promise<T[]>;
}
// Kept on the client under a registered symbol: Next bundles its own copy of this module
// beside the server's, and both must find it.
const DIRECT = Symbol.for("ledgix.db.direct");
const direct = (prisma: PrismaClient) => (prisma as PrismaClient & { [DIRECT]?: Direct })[DIRECT];

/** Runs one statement outside any transaction; returns the rows it affected. */
export function execute(prisma: PrismaClient, statement: Prisma.Sql): Promise<number> {
  return direct(prisma)?.execute(statement) ?? prisma.$executeRaw(statement);
}

/** `query` for a library's SQL text that numbers its own parameters ($1, $2, …); keep the text fixed too. */
export function queryText<T>(prisma: PrismaClient, text: string, values: unknown[]): Promise<T[]> {
  return direct(prisma)?.queryText<T>(text, values) ?? prisma.$queryRawUnsafe<T[]>(text, ...values);
}

/** `alias."column", …` for every scalar field of a model (a `Prisma.*ScalarFieldEnum`). */
export const columnsOf = (fields: Record<string, string>, alias: string) =>
  Prisma.join(Object.values(fields).map((column) => Prisma.raw(`${alias}."${column}"`)));

/**
 * Runs one query outside any transaction; values come back as `$queryRaw` returns them. On
 * PostgreSQL each distinct text is prepared on every connection: keep the text fixed and
 * pass what varies as values (arrays included).
 */
export function query<T>(prisma: PrismaClient, statement: Prisma.Sql): Promise<T[]> {
  return direct(prisma)?.query<T>(statement) ?? prisma.$queryRaw<T[]>(statement);
}

// pg reads and writes `timestamp` (no zone) in local time; Prisma, and these, in UTC. It
// would also read int8 as a string, where Prisma gives a BigInt.
const pgValue = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
const PARSERS: Record<number, (text: string) => unknown> = {
  20: BigInt,
  1114: (text) => new Date(`${text.replace(" ", "T")}Z`),
};
const types = { getTypeParser: ((oid: number, format?: "text") => PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser };

// Reads are prepared once per connection, named by a hash of their text: PostgreSQL then
// skips parsing and planning them, which for the proof queries costs more than running them
// (+50% bundles/s). Prepared reads name their columns (columnsOf above): a prepared `*`
// would fail once a migration adds one.
const preparedName = (text: string) => `ledgix_${createHash("sha256").update(text).digest("base64url").slice(0, 24)}`;

function directTo(pool: pg.Pool): Direct {
  const run = (text: string, values: unknown[], name?: string) => pool.query({ name, text, values: values.map(pgValue), types });
  return {
    execute: async (statement) => (await run(statement.text, statement.values)).rowCount ?? 0,
    query: async <T>(statement: Prisma.Sql) => (await run(statement.text, statement.values, preparedName(statement.text))).rows as T[],
    queryText: async <T>(text: string, values: unknown[]) => (await run(text, values, preparedName(text))).rows as T[],
  };
}

/**
 * One connection held for session-level work (advisory locks need lock, work and unlock on
 * the same one). A connection the server drops is discarded and the next use opens another:
 * a database restart must not leave the process holding a dead one.
 */
function sessionOn(pool: pg.Pool) {
  let current: Promise<pg.PoolClient> | undefined;
  const acquire = () => current ??= pool.connect().then(
    (client) => {
      const held = current;
      // Without a listener, an idle checked-out client's error would crash the process.
      client.on("error", () => {
        if (current !== held) return;
        current = undefined;
        client.release(true);
      });
      return client;
    },
    (error) => {
      current = undefined;
      throw error;
    },
  );
  const sql: RawSql = {
    query: async <T>(text: string, params?: unknown[]) => (await (await acquire()).query(text, params)).rows as T[],
    exec: async (script) => void (await (await acquire()).query(script)),
  };
  const release = async () => {
    const client = await current?.catch(() => undefined);
    current = undefined;
    client?.release();
  };
  return { acquire, sql, release };
}

async function openPool(kind: DatabaseConfig["kind"], connection: pg.ClientConfig, onClose = async () => {}): Promise<Database> {
  const pool = new pg.Pool({ ...connection, max: 10 });
  // An idle connection the server drops (a restart, a failover) is an event on the pool: without
  // a listener it would crash the process. The pool opens new connections on demand.
  pool.on("error", (error) => console.error("ledgix: database connection lost:", error.message));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  Object.defineProperty(prisma, DIRECT, { value: directTo(pool) });
  const session = sessionOn(pool);
  await session.acquire().catch(async (error) => {
    await pool.end();
    throw error;
  });
  return {
    kind,
    connection,
    prisma,
    sql: session.sql,
    async close() {
      await session.release();
      await prisma.$disconnect();
      await pool.end();
      await onClose();
    },
  };
}

async function openEmbedded(dataDir: string, create: boolean): Promise<Database> {
  const server = await attachEmbeddedServer(dataDir, { create });
  return openPool("embedded", server.connection, () => server.release());
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const db = config.kind === "postgres"
    ? await openPool("postgres", { connectionString: config.url })
    : await openEmbedded(config.dataDir, config.create ?? true);
  try {
    await applyMigrations(db.sql);
    await ensureJobQueueSchema(db.sql, db.connection);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
