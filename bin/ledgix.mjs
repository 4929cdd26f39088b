#!/usr/bin/env node
// The `ledgix` command. It runs the CLI that `npm run build` (and so `npm start`) compiled into
// .next/cli, unless a file under lib/ changed since: then it runs lib/cli from source through tsx.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.env.LEDGIX_APP_ROOT ??= root;
// React (rendering emails) picks its build from NODE_ENV when it loads; the CLI is production code.
process.env.NODE_ENV = "production";
const bundle = path.join(root, ".next", "cli", "ledgix.mjs");

/** The newest modification time under a folder (a few ms for lib/). */
function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

const compiled = fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= newest(path.join(root, "lib"));
let main;
if (compiled) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(root, "tsconfig.json") });
  ({ main } = await import("../lib/cli/main.ts"));
}
process.exitCode = await main(process.argv);
