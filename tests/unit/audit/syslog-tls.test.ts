// The syslog sink over TLS (tls://), against a local collector with a certificate of its own:
// delivered when the sender trusts it through NODE_EXTRA_CA_CERTS (as an operator configures
// a private CA), refused when it does not. The sink runs in a child process because Node reads
// NODE_EXTRA_CA_CERTS once, at start.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeSyslog, type FakeSyslog } from "../../fixtures/fake-syslog";

const root = path.resolve(import.meta.dirname, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-syslog-tls-"));
const cert = path.join(dir, "cert.pem");
const key = path.join(dir, "key.pem");
let collector: FakeSyslog;

beforeAll(async () => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  collector = await fakeSyslog({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) });
});
afterAll(async () => {
  await collector.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sends one event through the sink in a fresh Node process (the collector runs in this one, so not a sync spawn); its exit code and error. */
function send(url: string, env: Record<string, string>): Promise<{ status: number; stderr: string }> {
  const script = `
    import { syslogSink } from "./lib/audit/sinks/syslog.ts";
    const row = { seq: 1n, xid: 1n, tenantId: "ten_1", kind: "policy.activated", occurredAt: new Date(), data: {} };
    await syslogSink(process.argv[1]).send([{ row, event: { severity_id: 1, message: "over TLS" } }]);`;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, url], { cwd: root, env: { ...process.env, ...env } },
      (error, _stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stderr }));
  });
}

describe("the syslog sink over TLS", () => {
  it("delivers to a collector whose certificate it trusts", async () => {
    const result = await send(collector.url, { NODE_EXTRA_CA_CERTS: cert });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(collector.messages.map((m) => m.msg.message)).toEqual(["over TLS"]);
  });

  it("refuses one it does not trust, and nothing counts as delivered", async () => {
    const result = await send(collector.url, {});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/self[- ]signed certificate/i);
    expect(collector.messages).toHaveLength(1);
  });
});
