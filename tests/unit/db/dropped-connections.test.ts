// A database restart or failover drops every connection. Those the process holds (the pool's
// idle ones, the session kept for advisory locks) must be replaced, not crash the process or
// stay dead until it restarts.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/open";
import { createPostgresDatabase } from "../../fixtures/server";

describe("connections the database drops", () => {
  it("are replaced: the session and the pool work again once their backends are terminated", async () => {
    const url = await createPostgresDatabase();
    const db = await openDatabase({ kind: "postgres", url });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const [before] = await db.sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await db.prisma.$queryRaw`SELECT 1`; // an idle pooled connection beside the session
      // As `pg_ctl stop -m fast` does to every session: each gets a FATAL 57P01 and is closed.
      const { rows: ended } = await admin.query<{ ok: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
      expect(ended.length).toBeGreaterThanOrEqual(2);
      // The drop reaches the clients as socket events; give them a moment to arrive.
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [before!.pid]);
        if (rows.length === 0) break;
      }
      await new Promise((r) => setTimeout(r, 200));

      const [after] = await db.sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(after!.pid).not.toBe(before!.pid);
      expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await db.close();
    }
  });
});
