// Hot reads on PostgreSQL are prepared once per connection. A migration that adds a column
// while a server runs must not break them (a prepared `SELECT t.*` would fail with "cached
// plan must not change result type").
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createPostgresDatabase } from "../../fixtures/server";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-prepared-"));
vi.stubEnv("LEDGIX_DATA_DIR", dataDir);
vi.stubEnv("LEDGIX_MASTER_KEY", undefined);

const { openDatabase } = await import("@/lib/db/open");
const { createTenant } = await import("@/lib/tenants/tenants");
const { authenticateApiKey, createApiKey } = await import("@/lib/auth/api-keys");

afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("prepared reads on PostgreSQL", () => {
  it("keep authenticating after a migration adds columns to the tables they read", async () => {
    const db = await openDatabase({ kind: "postgres", url: await createPostgresDatabase() });
    try {
      const tenant = await createTenant(db.prisma, "prepared");
      const { key } = await createApiKey(db.prisma, tenant.id, "test");
      // Sequential calls reuse the pool's most recently released connection, and its prepared statement.
      for (let i = 0; i < 3; i++) expect((await authenticateApiKey(db.prisma, key)).tenant.id).toBe(tenant.id);
      await db.sql.exec(`ALTER TABLE "tenants" ADD COLUMN "addedLater" integer; ALTER TABLE "api_keys" ADD COLUMN "addedLater" integer`);
      for (let i = 0; i < 3; i++) expect((await authenticateApiKey(db.prisma, key)).tenant).toEqual(tenant);
    } finally {
      await db.close();
    }
  });
});
