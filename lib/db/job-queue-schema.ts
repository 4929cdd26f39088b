import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { RawSql } from "./open";

// graphile-worker's installer costs every CLI command about 0.1 s of CPU (loading the library,
// its config loader and a connection of its own) to find nothing to do. So a comment on its
// schema names the version that installed it, and the installer runs only when that differs.
const MARKER_SQL = `SELECT obj_description(oid, 'pg_namespace') AS marker FROM pg_namespace WHERE nspname = 'graphile_worker'`;

/** "graphile-worker 0.17.3", or undefined (then the installer always runs) when its package.json cannot be read. */
function installedLibrary(): string | undefined {
  try {
    const file = path.join(/*turbopackIgnore: true*/ process.env.LEDGIX_APP_ROOT ?? process.cwd(), "node_modules", "graphile-worker", "package.json");
    return `graphile-worker ${(JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version}`;
  } catch {
    return undefined;
  }
}

/**
 * Installs or upgrades graphile-worker's schema unless this version of the library already did.
 * Decisions enqueue their notification job in the statement that stores them, so the queue's
 * schema must exist wherever a decision can be made (the CLI, a process whose workers have not
 * started yet), not only once a worker runs.
 */
export async function ensureJobQueueSchema(sql: RawSql, connection: pg.ClientConfig): Promise<void> {
  const library = installedLibrary();
  const [row] = await sql.query<{ marker: string | null }>(MARKER_SQL);
  if (library && row?.marker === library) return;
  const { Logger, runMigrations } = await import("graphile-worker");
  const pool = new pg.Pool({ ...connection, max: 1 });
  // A lost connection fails the install itself; listening here keeps graphile-worker from
  // printing its "no error handlers" warning into every CLI command's output.
  pool.on("error", () => undefined).on("connect", (client) => client.on("error", () => undefined));
  await runMigrations({ pgPool: pool, logger: new Logger(() => () => undefined) }).finally(() => pool.end());
  // Only the schema's owner may comment on it: a role that may not (a schema a DBA installed)
  // runs the installer on every open, as before the marker.
  if (library) await sql.exec(`COMMENT ON SCHEMA graphile_worker IS '${library.replace(/'/g, "''")}'`).catch(() => undefined);
}
