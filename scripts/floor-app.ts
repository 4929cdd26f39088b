// Builds and starts the throughput floor (scripts/floor-app/README.md) for the clearance bench.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { freePort } from "../tests/fixtures/ports";

const dir = path.join(import.meta.dirname, "floor-app");
const next = path.join(import.meta.dirname, "..", "node_modules", "next", "dist", "bin", "next");

export interface FloorApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `next build` of the floor app (its own .next, beside its sources). */
export function buildFloorApp(): void {
  const built = spawnSync(process.execPath, [next, "build"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_ENV: "production" } });
  if (built.status !== 0) throw new Error(`the floor app's build failed (exit ${built.status})`);
}

/** Creates its table in `connection`'s database and starts `next start` against it. */
export async function startFloorApp(connection: pg.ClientConfig): Promise<FloorApp> {
  const client = new pg.Client(connection);
  await client.connect();
  await client.query("CREATE TABLE IF NOT EXISTS floor_requests (id bigserial PRIMARY KEY, body text NOT NULL, hash bytea NOT NULL, signature bytea NOT NULL)");
  await client.end();
  const { user = "", password = "", host = "", port, database, connectionString } = connection;
  // The embedded server listens on a Unix socket: its directory goes in the URL's query.
  const url = connectionString ?? `postgres://${encodeURIComponent(user)}:${encodeURIComponent(String(password))}@localhost/${database}?host=${encodeURIComponent(host)}&port=${port}`;
  const appPort = await freePort();
  const child = spawn(process.execPath, [next, "start", "-p", String(appPort), "-H", "127.0.0.1"], {
    cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_ENV: "production", DATABASE_URL: url },
  });
  const base = `http://127.0.0.1:${appPort}`;
  for (const deadline = Date.now() + 60_000; !(await fetch(`${base}/api/empty`, { method: "POST" }).then((r) => r.ok, () => false));) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("the floor app did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: base,
    pid: child.pid!,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM")))),
  };
}
