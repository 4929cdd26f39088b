import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // The README's samples import the published names; point them at the sources.
  resolve: {
    alias: [
      { find: /^@ledgix\/sdk\/adapters\/(.+)$/, replacement: src("adapters/$1.ts") },
      { find: /^@ledgix\/sdk\/gateway$/, replacement: src("gateway/index.ts") },
      { find: /^@ledgix\/sdk$/, replacement: src("index.ts") },
      // The integration tests start the server through the repository's own fixtures.
      { find: /^@\/(.*)$/, replacement: fileURLToPath(new URL("../../$1", import.meta.url)) },
    ],
  },
  test: {
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "integration", include: ["tests/integration/**/*.test.ts"], globalSetup: ["tests/integration/global-setup.ts"], testTimeout: 120_000 } },
    ],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The repository's fixtures run lib/ in this process, and lib/ finds prisma/migrations under
    // LEDGIX_APP_ROOT or the working directory: this one is sdk/typescript. Servers never see it.
    env: { LEDGIX_APP_ROOT: fileURLToPath(new URL("../..", import.meta.url)) },
  },
});
