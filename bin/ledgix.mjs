#!/usr/bin/env node
// The `ledgix` command. It runs the CLI that `npm run build` (and so `npm start`) compiled into
// .next/cli while that build is current; after a change to the sources, lib/cli through tsx.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CLI_BUNDLE, isBuildCurrent, root } from "../scripts/build.mjs";

process.env.LEDGIX_APP_ROOT ??= root;
// React (rendering emails) picks its build from NODE_ENV when it loads; the CLI is production code.
process.env.NODE_ENV = "production";

let main;
if (isBuildCurrent()) {
  ({ main } = await import(pathToFileURL(CLI_BUNDLE).href));
} else {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(root, "tsconfig.json") });
  ({ main } = await import("../lib/cli/main.ts"));
}
process.exitCode = await main(process.argv);
