#!/usr/bin/env node
// The `ledgix` command. It runs the CLI that `npm run build` (and so `npm start`) compiled into
// .next/ledgix while that build is current; after a change to the sources, lib/cli through tsx.
import { importEntry, root } from "../scripts/build.mjs";

process.env.LEDGIX_APP_ROOT ??= root;
// React (rendering emails) picks its build from NODE_ENV when it loads; the CLI is production code.
process.env.NODE_ENV = "production";

const { main } = await importEntry("cli");
process.exitCode = await main(process.argv);
