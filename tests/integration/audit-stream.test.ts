// Issue 22's audit stream, against local receivers: a syslog TCP collector (RFC 5424 frames,
// RFC 6587 octet counting), a Splunk HEC fake and a JSON-lines file. Every ledger and security
// event reaches each sink once at least, in the stream's order; a collector that crashes
// mid-stream and comes back loses nothing; `ledgix audit export` prints the same records.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cliOk } from "../fixtures/cli";
import { builtActions, form, invokeAction } from "../fixtures/dashboard";
import { fakeHttp, type FakeHttp } from "../fixtures/fake-http";
import { fakeSyslog, type FakeSyslog } from "../fixtures/fake-syslog";
import { connectionOf, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const HEC_TOKEN = "hec-token-for-tests";
const PASSWORD = "correct horse battery staple";
let syslog: FakeSyslog;
let hec: FakeHttp;
let file: string;
let server: RunningServer;
let db: pg.Client;
let tenant: TestTenant;
const startedAt = new Date();

type Ocsf = Record<string, unknown> & { metadata: { uid: string; event_code: string; tenant_uid?: string; sequence: number } };

beforeAll(async () => {
  syslog = await fakeSyslog();
  hec = await fakeHttp(() => ({ status: 200, body: { text: "Success", code: 0 } }));
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-audit-")), "audit.jsonl");
  server = await startServer(undefined, {
    LEDGIX_AUDIT_SYSLOG_URL: syslog.url,
    LEDGIX_AUDIT_HEC_URL: hec.url,
    LEDGIX_AUDIT_HEC_TOKEN: HEC_TOKEN,
    LEDGIX_AUDIT_FILE: file,
  });
  db = new pg.Client(connectionOf(server));
  await db.connect();
  tenant = await createTenant(server);
});

afterAll(async () => {
  await db?.end();
  await server?.stop();
  await syslog?.close();
  await hec?.close();
});

/** The stream as stored, in the order the sinks must get it: (xid, seq) over both tables. */
async function storedStream(): Promise<{ seq: string; kind: string; tenantId: string | null }[]> {
  const { rows } = await db.query(`
    SELECT seq::text, kind, "tenantId" FROM (
      SELECT seq, xid, kind, "tenantId" FROM audit_events UNION ALL SELECT seq, xid, kind, NULL FROM instance_audit_events
    ) e ORDER BY xid, seq`);
  return rows;
}

const uidOf = (seq: string) => `ledgix.local/audit/${seq}`;
const hecEvents = () => hec.received.flatMap((r) => r.body.split("\n").map((line) => JSON.parse(line) as { event: Ocsf; sourcetype: string; time: number }));
const fileEvents = () => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Ocsf) : []);
/** Each uid once, where it first arrived: at-least-once delivery may repeat a batch. */
const firstSeen = (uids: string[]) => [...new Set(uids)];

async function waitUntil(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the audit stream", () => {
  it("ships every kind of event to syslog, HEC and the file in one order, and the export prints the same records", async () => {
    // Decisions (ledger events): approved, denied.
    expect((await (await tenant.post("/api/clearance", refund(20))).json()).status).toBe("approved");
    expect((await (await tenant.post("/api/clearance", refund(5000))).json()).status).toBe("denied");
    // Failed authentications: a known key id with a wrong secret (its tenant's), an unknown key (the instance's).
    const wrongSecret = `${tenant.key.slice(0, "lgx_".length + 26)}_${"x".repeat(43)}`; // lgx_<key id>_<secret>
    expect((await fetch(`${server.url}/api/clearance-status/req_none`, { headers: { "X-Vault-API-Key": wrongSecret } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/clearance-status/req_none`, { headers: { "X-Vault-API-Key": `lgx_${"0".repeat(26)}_${"y".repeat(43)}` } })).status).toBe(401);
    // Role changes, a sign-in, a failed sign-in, a policy activation and a key revocation, by the operator.
    const email = `owner-${tenant.name}@example.com`;
    const { keyId } = await asOperator(server, async (run) => {
      await run("member.add", { tenant: tenant.id, email, role: "viewer", password: PASSWORD });
      await run("member.add", { tenant: tenant.id, email, role: "owner" });
      const { id } = (await run("key.create", { tenant: tenant.id, name: "doomed" })) as { id: string };
      await run("key.revoke", { id });
      return { keyId: id };
    });
    // Rate limiting: a key over its tenant's quota of 2 a minute.
    const limited = await createTenant(server, null);
    await asOperator(server, (run) => run("tenant.update", { tenant: limited.id, apiKeyRequestsPerMinute: 2 }));
    const signInAction = builtActions().get("lib/auth/actions.ts#passwordSignInAction")!;
    await invokeAction(server, signInAction, [{}, form({ email, password: "wrong password" })], { Origin: server.url });
    const signedIn = await invokeAction(server, signInAction, [{}, form({ email, password: PASSWORD })], { Origin: server.url });
    expect(signedIn.headers.getSetCookie().some((c) => /session-token=[^;]+/.test(c))).toBe(true);
    // (The tenant change reaches the key cache by notification: a first call may still pass unlimited.)
    let quota = 0;
    for (let i = 0; i < 10 && quota !== 429; i++) quota = (await limited.call("/api/ledger")).status;
    expect(quota).toBe(429);

    const expected = await storedStream();
    const kinds = new Set(expected.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([
      "api_key.revoked", "authentication.failed", "authentication.succeeded", "clearance.decided", "member.role_changed", "policy.activated", "rate_limited",
    ]);
    const uids = expected.map((e) => uidOf(e.seq));

    await waitUntil("every sink to have every event", () =>
      firstSeen(syslog.messages.map((m) => (m.msg as Ocsf).metadata.uid)).length >= uids.length
      && firstSeen(hecEvents().map((e) => e.event.metadata.uid)).length >= uids.length
      && firstSeen(fileEvents().map((e) => e.metadata.uid)).length >= uids.length);
    expect(firstSeen(syslog.messages.map((m) => (m.msg as Ocsf).metadata.uid))).toEqual(uids);
    expect(firstSeen(hecEvents().map((e) => e.event.metadata.uid))).toEqual(uids);
    expect(firstSeen(fileEvents().map((e) => e.metadata.uid))).toEqual(uids);

    // The syslog frames: facility 13 (log audit), RFC 5424 version 1, MSGID the kind.
    for (const m of syslog.messages) {
      expect(m.version).toBe(1);
      expect(Math.floor(m.pri / 8)).toBe(13);
      expect(m.appName).toBe("ledgix");
      expect(m.msgId).toBe((m.msg as Ocsf).metadata.event_code);
      expect(Number.isNaN(Date.parse(m.timestamp))).toBe(false);
    }
    // HEC: the event endpoint, the Splunk token scheme, one event object per line.
    expect(hec.received.every((r) => r.method === "POST" && r.path === "/services/collector/event" && r.headers.authorization === `Splunk ${HEC_TOKEN}`)).toBe(true);
    expect(hecEvents()[0]!.sourcetype).toBe("ocsf:ledgix");

    // OCSF classes and the fields a SIEM rule would key on.
    const events = fileEvents();
    const byKind = (kind: string) => events.filter((e) => e.metadata.event_code === kind);
    const [approved, denied] = byKind("clearance.decided");
    expect(approved).toMatchObject({
      class_uid: 6003, category_uid: 6, activity_id: 99, type_uid: 600399, action_id: 1, status_id: 1,
      api: { operation: "stripe_refund", service: { name: "ledgix" } },
      actor: { app_name: "agent-refunds", authorizations: [{ decision: "approved", policy: { uid: "refunds" } }] },
      metadata: { version: "1.8.0", tenant_uid: tenant.id, product: { name: "Ledgix" } },
    });
    expect(denied).toMatchObject({ action_id: 2, disposition_id: 2, status_detail: "refund_too_large" });
    expect(denied!.metadata).toMatchObject({ correlation_uid: expect.stringMatching(/^req_/) });
    expect(JSON.stringify(denied)).not.toContain("\"amount\""); // the arguments stay in the ledger
    const failures = byKind("authentication.failed");
    expect(failures.map((e) => [e.class_uid, e.status_id, e.metadata.tenant_uid ?? null, e.status_detail])).toEqual([
      [3002, 2, tenant.id, "invalid_api_key"],
      [3002, 2, null, "invalid_api_key"],
      [3002, 2, null, "invalid_credentials"],
    ]);
    expect(byKind("authentication.succeeded")).toEqual([expect.objectContaining({ class_uid: 3002, activity_id: 1, status_id: 1, user: expect.objectContaining({ email_addr: email }) })]);
    expect(byKind("api_key.revoked")).toEqual([expect.objectContaining({ class_uid: 3004, activity_id: 9, entity: expect.objectContaining({ type: "api_key", uid: keyId }), actor: { user: { name: "operator:cli" } } })]);
    expect(byKind("member.role_changed").map((e) => [e.class_uid, e.privileges, (e.unmapped as { previous_role?: string }).previous_role])).toEqual([
      [3005, ["viewer"], undefined],
      [3005, ["owner"], "viewer"],
    ]);
    expect(byKind("policy.activated")).toEqual([expect.objectContaining({ class_uid: 3004, activity_id: 10, entity: expect.objectContaining({ type: "policy", uid: "refunds" }) })]);
    expect(byKind("rate_limited")).toEqual([expect.objectContaining({ class_uid: 6003, action_id: 2, status_detail: "quota_exceeded", metadata: expect.objectContaining({ tenant_uid: limited.id }) })]);

    // The export prints the same records, in the same order.
    const exported = (await cliOk(["audit", "export", "--since", startedAt.toISOString(), "--format", "jsonl"], server.env))
      .split("\n").map((line) => JSON.parse(line) as Ocsf);
    expect(exported).toEqual(events.filter((e, i) => events.findIndex((f) => f.metadata.uid === e.metadata.uid) === i));
  }, 60_000);

  it("loses nothing and keeps the order when the syslog collector crashes mid-stream and comes back", async () => {
    const before = (await storedStream()).length;
    syslog.killAfter(3);
    const decisions = await Promise.all(Array.from({ length: 12 }, (_, i) => tenant.post("/api/clearance", refund(1 + i, { session_id: `crash-${i}` }))));
    expect(decisions.map((r) => r.status)).toEqual(Array(12).fill(200));
    const expected = (await storedStream()).map((e) => uidOf(e.seq));
    expect(expected.length).toBeGreaterThan(before + 3);

    // The collector is down: the sink's cursor records the failure and the retry waits.
    const failures = async () => Number((await db.query(`SELECT failures FROM audit_sink_cursors WHERE sink = 'syslog'`)).rows[0]?.failures ?? 0);
    await waitUntil("the syslog sink to record a failure", async () => (await failures()) > 0, 15_000);
    // The other sinks are not held up: the file gets every event while syslog is still down.
    await waitUntil("the file sink to have every event", () => firstSeen(fileEvents().map((e) => e.metadata.uid)).length >= expected.length);
    expect(firstSeen(fileEvents().map((e) => e.metadata.uid))).toEqual(expected);
    expect(await failures()).toBeGreaterThan(0);
    await syslog.restart();
    await waitUntil("syslog to catch up", () => firstSeen(syslog.messages.map((m) => (m.msg as Ocsf).metadata.uid)).length >= expected.length, 20_000);
    expect(firstSeen(syslog.messages.map((m) => (m.msg as Ocsf).metadata.uid))).toEqual(expected);
    // Within each connection the frames are in stream order (a redelivery starts again from the cursor).
    for (const connection of new Set(syslog.messages.map((m) => m.connection))) {
      const frames = syslog.messages.filter((m) => m.connection === connection);
      const positions = frames.map((m) => expected.indexOf((m.msg as Ocsf).metadata.uid));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    const { rows } = await db.query(`SELECT failures, "lastError" FROM audit_sink_cursors WHERE sink = 'syslog'`);
    expect(rows[0]).toMatchObject({ failures: 0, lastError: null });
  }, 60_000);
});
