// Prisma 6 can run its WASM schema engine through a driver adapter; an in-memory
// PGlite gives it a database without network access. Only `migrate diff` is used.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: process.env.LEDGIX_DIFF_SCHEMA,
  adapter: async () => new PrismaPGlite(new PGlite()),
});
