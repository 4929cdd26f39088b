// The README is a test: its own commands, run as a new user runs them, in a fresh copy of this
// checkout. `npm start` on the embedded database, the first clearance, a reviewer added with the
// CLI, the 500 USD review email in the development outbox, its link approving, and a clean stop.
//
// What a fresh clone has: the files git tracks (or would), then what the install makes. `npm ci`
// itself is what .ci/run does first in its own fresh clone; here the copy takes that install's
// node_modules (hard links) and runs its postinstall, and the build `npm test` just made (which
// `npm start` must recognise as current rather than build again).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../fixtures/ports";
import { userEnv } from "../fixtures/server";

const root = path.resolve(import.meta.dirname, "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const REVIEWER = "them@example.com";

/** The first fenced bash block after a heading. */
function bashBlockAfter(heading: string): string {
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`README: no bash block under "## ${heading}"`);
  return block;
}

/** Every tracked (or trackable) file of the checkout, the install's node_modules, and the current build. */
function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-readme-"));
  fs.chmodSync(dir, 0o755); // as root, the embedded PostgreSQL runs as the postgres user, who must enter it
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (!fs.existsSync(path.join(root, file))) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  execFileSync("cp", ["-al", path.join(root, "node_modules"), dir]);
  execFileSync("npm", ["run", "--silent", "postinstall"], { cwd: dir, env: userEnv(), stdio: "pipe" });
  fs.cpSync(path.join(root, ".next"), path.join(dir, ".next"), { recursive: true, filter: (source) => !source.includes(`${path.sep}.next${path.sep}cache`) });
  return dir;
}

let app: string;
let port: number;
let npmStart: ChildProcess;
let output = "";
let shell: (script: string) => string;

const startedWith = (text: string) => output.includes(text);

beforeAll(async () => {
  app = freshCopy();
  port = await freePort();
  // PORT is the one variable set: another server of the machine may hold 3000.
  const env = userEnv({ PORT: String(port) });
  shell = (script) => execFileSync("bash", ["-euo", "pipefail", "-c", script], { cwd: app, env, encoding: "utf8", timeout: 120_000 });
  // Its own process group, as a terminal gives it: Ctrl-C signals the whole group.
  npmStart = spawn("npm", ["start"], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  npmStart.stdout!.on("data", (chunk) => (output += chunk));
  npmStart.stderr!.on("data", (chunk) => (output += chunk));
  for (const deadline = Date.now() + 120_000; !startedWith("No tenants yet"); await new Promise((r) => setTimeout(r, 200))) {
    if (npmStart.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not get going:\n${output}`);
  }
}, 180_000);

afterAll(async () => {
  // After a failure: stop it as the test would have, so its PostgreSQL stops too.
  if (npmStart?.exitCode === null) {
    const exited = new Promise((resolve) => npmStart.once("exit", resolve));
    process.kill(-npmStart.pid!, "SIGINT");
    await exited;
  }
  if (app) fs.rmSync(app, { recursive: true, force: true, maxRetries: 5 });
}, 60_000);

describe("the README, followed by a new user", () => {
  it("starts the build it finds current instead of building again, on the copy's own database", () => {
    expect(output).toContain("ledgix: the build is current, starting it");
    expect(output).toContain(`(embedded PostgreSQL in ${path.join(app, ".ledgix")})`);
    expect(output).not.toContain("Creating an optimized production build");
  });

  it("gets a first clearance, a review email whose link approves, and stops cleanly", async () => {
    // "First clearance in a minute", as printed, then the Dashboard section's reviewer, then the 500 USD refund.
    const first = bashBlockAfter("First clearance in a minute").replaceAll("localhost:3000", `localhost:${port}`);
    const curl = first.slice(first.indexOf("curl "));
    const reviewer = bashBlockAfter("Dashboard").split("\n").find((line) => line.includes("--role reviewer"))!;
    // curl prints no newline of its own: each command's output on lines of its own.
    const script = [first, reviewer, curl.replace('"amount":45', '"amount":500'), "echo KEY=$LEDGIX_VAULT_API_KEY"].join("\necho\n");
    const lines = shell(script).trim().split("\n");
    const answers = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    expect(answers).toEqual([
      expect.objectContaining({ status: "approved", token: expect.any(String) }),
      expect.objectContaining({ status: "pending_review" }),
    ]);
    const key = lines.find((line) => line.startsWith("KEY="))!.slice(4);
    const pending = answers[1].request_id as string;

    // The reviewer's email, written to the development outbox by the job queue.
    const outbox = path.join(app, ".ledgix", "outbox");
    let link: string | undefined;
    for (const deadline = Date.now() + 60_000; !link && Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      const emails = (fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).map((name) => JSON.parse(fs.readFileSync(path.join(outbox, name), "utf8")) as { to: string; text: string });
      link = emails.find((email) => email.to === REVIEWER)?.text.match(/https?:\/\/\S+\/review\/[A-Za-z0-9_-]+/)?.[0];
    }
    expect(link, `no review email for ${REVIEWER} in ${outbox}:\n${output}`).toBeDefined();
    expect(output).not.toMatch(/getOwner is not a function|notify:email.*failed/);

    // Opening the link decides nothing; its form's Approve does.
    expect((await fetch(link!)).status).toBe(200);
    const decided = await fetch(`${link}/decide`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: new URL(link!).origin },
      body: "decision=approve",
      redirect: "manual",
    });
    expect(decided.status).toBeLessThan(400);
    const poll = await (await fetch(`http://localhost:${port}/api/clearance-status/${pending}`, { headers: { "X-Vault-API-Key": key } })).json();
    expect(poll).toMatchObject({ status: "approved", token: expect.any(String) });

    // Ctrl-C: SIGINT to the terminal's process group, npm and the server alike (and npm passes its
    // copy on). The server and its PostgreSQL stop. (tests/fixtures/server.ts stops every other
    // server as a process manager does: SIGTERM to npm's PID alone.)
    const server = Number(fs.readFileSync(`/proc/${npmStart.pid}/task/${npmStart.pid}/children`, "utf8").trim());
    const cluster = path.join(app, ".ledgix", "pg");
    const postgres = Number(fs.readFileSync(path.join(cluster, "postmaster.pid"), "utf8").split("\n")[0]);
    const exited = new Promise((resolve) => npmStart.once("exit", resolve));
    process.kill(-npmStart.pid!, "SIGINT");
    await exited;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const deadline = Date.now() + 30_000; (alive(server) || alive(postgres)) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    expect({ server: alive(server), postgres: alive(postgres) }).toEqual({ server: false, postgres: false });
    expect(fs.existsSync(path.join(cluster, "postmaster.pid"))).toBe(false);
  });
});
