// The job queue's schema is installed where a database is opened, and only when the installed
// graphile-worker differs from the one that last installed it (a comment on its schema says which).
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureJobQueueSchema } from "@/lib/db/job-queue-schema";
import { rawSqlOf } from "../../fixtures/scratch-databases";

const library = `graphile-worker ${(JSON.parse(fs.readFileSync(path.resolve("node_modules/graphile-worker/package.json"), "utf8")) as { version: string }).version}`;

describe("ensureJobQueueSchema", () => {
  let connection: pg.ClientConfig;
  let client: pg.Client;
  const one = async <T>(text: string) => (await client.query(text)).rows[0] as T;
  const marker = async () => (await one<{ marker: string | null }>(`SELECT obj_description('graphile_worker'::regnamespace, 'pg_namespace') AS marker`)).marker;
  const migrations = async () => Number((await one<{ n: string }>(`SELECT count(*) AS n FROM graphile_worker.migrations`)).n);

  const adminUrl = process.env.LEDGIX_TEST_DATABASE_URL;
  const name = `ledgix_queue_${Date.now().toString(36)}`;
  const asAdmin = async (text: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(text).finally(() => admin.end());
  };

  beforeAll(async () => {
    if (!adminUrl) throw new Error("LEDGIX_TEST_DATABASE_URL is not set: run the suite with `npm test`.");
    // An empty database, not a copy of the migrated template: no queue schema yet.
    await asAdmin(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    connection = { connectionString: url.toString() };
    client = new pg.Client(connection);
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    if (adminUrl) await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("installs the queue on a fresh database and records which library did", async () => {
    await ensureJobQueueSchema(rawSqlOf(client), connection);
    expect(await one(`SELECT to_regproc('graphile_worker.add_job') IS NOT NULL AS found`)).toEqual({ found: true });
    expect(await marker()).toBe(library);
  });

  it("runs the installer again when another version installed the schema", async () => {
    await client.query(`COMMENT ON SCHEMA graphile_worker IS 'graphile-worker 0.0.0'`);
    await ensureJobQueueSchema(rawSqlOf(client), connection);
    expect(await marker()).toBe(library);
  });

  it("leaves the schema alone while this version's marker is on it", async () => {
    // The installer would apply the newest migration again (or fail on it): with the marker, nothing runs.
    const before = await migrations();
    await client.query(`DELETE FROM graphile_worker.migrations WHERE id = (SELECT max(id) FROM graphile_worker.migrations)`);
    await ensureJobQueueSchema(rawSqlOf(client), connection);
    expect(await migrations()).toBe(before - 1);
  });
});
