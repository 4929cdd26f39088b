import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// One fresh embedded database per run. Workers inherit this process's environment,
// so they find the same directory, where the CLI finds the server's embedded PostgreSQL.
process.env.LEDGIX_E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-e2e-"));
// A random high port: the machine is shared, and a fixed port may answer for someone else's server.
process.env.LEDGIX_E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 30_000));
const port = Number(process.env.LEDGIX_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  // Files run side by side (each spec has tenants of its own names); tests within a file in order.
  fullyParallel: false,
  workers: 2,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    // Debian's Chromium: Playwright's own browser download is not reachable here.
    launchOptions: {
      executablePath: process.env.LEDGIX_E2E_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  // The server as its users start it: `npm run serve` on the build `npm test` made, with the
  // variables an operator sets and nothing else (no NODE_ENV).
  webServer: {
    command: "npm run --silent serve",
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    // SIGTERM, as an operator stops it: the server then stops the embedded PostgreSQL it
    // started (the default SIGKILL left one running after every run).
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      LEDGIX_DATA_DIR: process.env.LEDGIX_E2E_DATA_DIR,
      NEXTAUTH_URL: baseURL,
      // The notification tests post to a local fake Slack webhook.
      LEDGIX_ALLOW_PRIVATE_URLS: "1",
      // Checkpoints as often as an operator may ask, so the ledger screen need not wait 5 s for each.
      LEDGIX_CHECKPOINT_INTERVAL_MS: "200",
    },
  },
});
