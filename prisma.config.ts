// Prisma CLI configuration. Only `prisma generate` is used here: migrations are
// applied by lib/db/migrate.ts (the CLI's schema engine cannot be downloaded offline).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
