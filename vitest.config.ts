import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Integration tests run on the PostgreSQL that `npm test` starts. A file whose behaviour depends
// on the database kind (locks, notifications, concurrency, the SQL of its path) says so in a
// line `// @database-kind: both — <why>`, and runs again on the embedded server.
const onBothDatabases = fs
  .readdirSync("tests/integration")
  .filter((file) => file.endsWith(".test.ts") && /^\/\/ @database-kind: both\b/m.test(fs.readFileSync(`tests/integration/${file}`, "utf8")))
  .map((file) => `tests/integration/${file}`);

// Integration tests are black-box (no module mocks), so a worker keeps the modules it imported for
// the next file instead of importing lib/ again for each one.
const integration = { include: ["tests/integration/**/*.test.ts"], globalSetup: ["tests/fixtures/global-setup.ts"], isolate: false };

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "integration", ...integration } },
      { extends: true, test: { name: "integration-embedded", ...integration, include: onBothDatabases, env: { LEDGIX_TEST_DB: "embedded" } } },
    ],
    // Most of an integration test's time is spent waiting on the servers and commands it starts:
    // three files at a time keep both cores busy (vitest's default here would be one).
    maxWorkers: 3,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
