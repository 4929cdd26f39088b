// `npm run build`: the Next.js build, then the server and the CLI compiled to plain JavaScript,
// then a stamp of the sources they came from. `npm start` (scripts/start.mjs) rebuilds only when that stamp no
// longer matches, so a second start with nothing changed skips the two-minute build.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const STAMP = path.join(root, ".next", "ledgix-sources.sha256");
// What the server (server.mjs) and the CLI (bin/ledgix.mjs) run: compiled, or their TypeScript.
const ENTRIES = {
  server: { source: path.join(root, "lib", "server", "serve.ts"), bundle: path.join(root, ".next", "ledgix", "server.mjs") },
  cli: { source: path.join(root, "lib", "cli", "main.ts"), bundle: path.join(root, ".next", "ledgix", "cli.mjs") },
};

// What the build reads: the app's sources, the generated Prisma client, and the dependencies (the lockfile).
const SOURCES = ["app", "components", "lib", "emails", "public", "prisma", "server.mjs", "proxy.ts", "instrumentation.ts",
  "next.config.ts", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json"];

function* files(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return;
  if (!fs.statSync(full).isDirectory()) return yield entry;
  for (const name of fs.readdirSync(full).sort()) yield* files(path.join(entry, name));
}

let hashed;

/**
 * A hash of every file the build reads, by path and content. Read once per process: `npm start`
 * asks before building, while building and again as server.mjs loads, and the build itself
 * changes none of them.
 */
export function sourceHash() {
  if (hashed) return hashed;
  const hash = createHash("sha256");
  for (const entry of SOURCES) {
    for (const file of files(entry)) hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update("\0");
  }
  return (hashed = hash.digest("hex"));
}

/** Whether the last build (the app and the CLI) came from exactly these sources. */
export function isBuildCurrent(hash = sourceHash()) {
  const built = [STAMP, ...Object.values(ENTRIES).map((entry) => entry.bundle), path.join(root, ".next", "BUILD_ID")].every((file) => fs.existsSync(file));
  return built && fs.readFileSync(STAMP, "utf8") === hash;
}

/** Runs a command with this terminal; a stop signal to this process stops it too. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      if (signal) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(args[0] ?? command)} ${args.slice(1).join(" ")} exited with ${code}`));
    });
  });
}

// The server and the CLI as plain ES modules: a start or an `npx ledgix` then loads compiled
// JavaScript instead of transpiling lib/ through tsx's loader hooks each time (the CLI took
// 6-8 s a call before, issue 18; a server start costs half the CPU). Packages stay external,
// resolved from node_modules; what is imported lazily (email rendering) stays a separate chunk.
async function bundleEntries() {
  const { build } = await import("esbuild");
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, entry.source])),
    outdir: path.join(root, ".next", "ledgix"),
    outExtension: { ".js": ".mjs" },
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    jsx: "automatic",
    tsconfig: path.join(root, "tsconfig.json"),
    logLevel: "warning",
  });
}

/**
 * Imports the server's or the CLI's code: compiled while the build is current, else (the
 * sources changed since) its TypeScript through tsx.
 */
export async function importEntry(name) {
  // Prisma's query compiler is WebAssembly, and V8 by default optimizes its warm functions with
  // TurboFan on background threads, which Node also waits for before it exits: 0.4 s of CPU and
  // 0.3 s of waiting on every CLI command, 0.3-0.9 s of CPU on every server start, for code a
  // short process barely runs. A larger budget keeps that for the functions a long-running
  // server really runs hot (issue 18: `ledgix tenant list` 1.40 -> 0.96 CPU-s).
  v8.setFlagsFromString("--wasm-tiering-budget=50000000");
  const entry = ENTRIES[name];
  if (isBuildCurrent()) return import(pathToFileURL(entry.bundle).href);
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(root, "tsconfig.json") });
  return import(pathToFileURL(entry.source).href);
}

export async function build() {
  const hash = sourceHash();
  await run(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
  await bundleEntries();
  fs.writeFileSync(STAMP, hash);
}

/** `build()` for a command line: a failed step is one line (its own output is above it), exit code 1. */
export async function buildOrExit() {
  try {
    await build();
  } catch (error) {
    console.error(`ledgix: the build failed: ${error.message}`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildOrExit();
