// Issue 12's channels end to end, against local fake Resend, Slack and webhook receivers:
// email review links, signed webhooks with retries and a crash in the middle, Slack's
// signed interactions.
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Webhook } from "standardwebhooks";
import { clusterDir, embeddedConnection } from "@/lib/db/embedded-server";
import { WebhookVerifier } from "@/sdk/typescript/src/standard-webhook";
import { verifyWebhook } from "@/sdk/typescript/src/webhook";
import { cliOk } from "../fixtures/cli";
import { fakeHttp, type FakeHttp, type Recorded } from "../fixtures/fake-http";
import { databaseEnv, startServer, userEnv, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const SLACK_SECRET = "slack-signing-secret-for-tests";
let resend: FakeHttp;
let slackApi: FakeHttp;
let server: RunningServer;
const started: RunningServer[] = [];

const channelEnv = () => ({
  RESEND_API_KEY: "re_test_key",
  RESEND_BASE_URL: resend.url,
  LEDGIX_ALLOW_PRIVATE_URLS: "1",
  SLACK_SIGNING_SECRET: SLACK_SECRET,
  SLACK_BOT_TOKEN: "xoxb-test",
  SLACK_API_URL: `${slackApi.url}/api/`,
});

beforeAll(async () => {
  resend = await fakeHttp((r) => ({ status: 200, body: { id: `email-${r.headers["idempotency-key"] ?? "none"}` } }));
  // users.info: U_REVIEWER is a member's email, U_STRANGER is nobody in the tenant.
  slackApi = await fakeHttp((r) => {
    const user = new URLSearchParams(r.body).get("user");
    if (user === "U_GONE") return { status: 200, body: { ok: false, error: "user_not_found" } };
    const email = user === "U_REVIEWER" ? "slack-reviewer@example.com" : "stranger@example.com";
    return { status: 200, body: { ok: true, user: { id: user, profile: { email } } } };
  });
  server = await startServer(undefined, channelEnv());
  started.push(server);
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await resend.close();
  await slackApi.close();
});

const emailsTo = (address: string) => (r: Recorded) => r.path === "/emails" && (JSON.parse(r.body) as { to: string | string[] }).to.toString() === address;

async function pendingRefund(tenant: TestTenant, amount = 450) {
  const res = await tenant.post("/api/clearance", refund(amount));
  const body = await res.json();
  expect(body.status).toBe("pending_review");
  return body.request_id as string;
}

const status = async (tenant: TestTenant, id: string) => (await (await tenant.call(`/api/clearance-status/${id}`)).json()) as { status: string; token?: string; reason_code?: string };

describe("email review links", () => {
  it("clearance → pending_review → email → GET shows (nothing decided) → POST approve → poll approved with a token → link says used", async () => {
    const tenant = await createTenant(server);
    await cliOk(["member", "add", "--tenant", tenant.name, "--email", "rev1@example.com", "--role", "reviewer"], server.env);
    await cliOk(["member", "add", "--tenant", tenant.name, "--email", "viewer1@example.com", "--role", "viewer"], server.env);
    const requestId = await pendingRefund(tenant);

    const [mail] = await resend.waitFor(emailsTo("rev1@example.com"));
    const sent = JSON.parse(mail!.body) as { subject: string; text: string; html: string };
    expect(sent.subject).toContain("stripe_refund");
    expect(sent.subject).toContain("decide before");
    expect(sent.text).toContain('"amount": 450');
    expect(sent.text).toContain("Refunds between 100 and 1,000 USD need a person");
    expect(mail!.headers["idempotency-key"]).toMatch(/^email-link:/);
    const token = /\/review\/([A-Za-z0-9_-]{43})/.exec(sent.text)![1]!;
    // A viewer may not decide reviews: no link for them.
    expect(resend.received.filter(emailsTo("viewer1@example.com"))).toHaveLength(0);

    // Opening the link (as a mail scanner would) decides nothing.
    const page = await fetch(`${server.url}/review/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Approve");
    expect(html).toContain("stripe_refund");
    expect((await status(tenant, requestId)).status).toBe("pending_review");

    // A form from another site is refused.
    const forged = await fetch(`${server.url}/review/${token}/decide`, { method: "POST", body: new URLSearchParams({ decision: "approve" }), headers: { origin: "https://evil.example" }, redirect: "manual" });
    expect(forged.status).toBe(403);
    expect((await status(tenant, requestId)).status).toBe("pending_review");

    const decide = (decision: string) =>
      fetch(`${server.url}/review/${token}/decide`, { method: "POST", body: new URLSearchParams({ decision }), headers: { origin: server.url }, redirect: "manual" });
    const approved = await decide("approve");
    expect(approved.status).toBe(303);
    expect(approved.headers.get("location")).toBe(`/review/${token}`);
    const polled = await status(tenant, requestId);
    expect(polled.status).toBe("approved");
    expect(polled.token).toMatch(/^eyJ/);

    const again = await (await fetch(`${server.url}/review/${token}`)).text();
    expect(again).toContain("You approved this request");
    expect(again).not.toContain("This link was already used");
    // A second POST changes nothing.
    expect((await decide("deny")).status).toBe(303);
    expect((await status(tenant, requestId)).status).toBe("approved");
    const decidedBy = await cliOk(["review", "list", "--tenant", tenant.name, "--json"], server.env);
    expect(JSON.parse(decidedBy)).toEqual([]);

    const bogus = await (await fetch(`${server.url}/review/${"x".repeat(43)}`)).text();
    expect(bogus).toContain("This link is not valid");
  });
});

const pythonVerifies = (body: string, signature: string, secret: string) => {
  const script = `import importlib.util,sys
spec=importlib.util.spec_from_file_location("w", sys.argv[1]); m=importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(m.verify_webhook(sys.stdin.buffer.read(), sys.argv[2], sys.argv[3]))`;
  const run = spawnSync("python3", ["-c", script, path.resolve("sdk/python/src/ledgix_python/webhook.py"), signature, secret], { input: body });
  return run.stdout.toString().trim();
};

const standardHeaders = (r: Recorded) => ({
  "webhook-id": String(r.headers["webhook-id"]),
  "webhook-timestamp": String(r.headers["webhook-timestamp"]),
  "webhook-signature": String(r.headers["webhook-signature"]),
});

async function addWebhook(target: RunningServer, tenant: TestTenant, url: string, events: string[]) {
  return JSON.parse(await cliOk(["webhook", "add", "--tenant", tenant.name, "--url", url, "--event", ...events, "--json"], target.env)) as { id: string; secret: string };
}

describe("customer webhooks", () => {
  it("signs deliveries the way both SDKs verify, retries a failing endpoint, logs and resends", async () => {
    let calls = 0;
    const receiver = await fakeHttp(() => (++calls === 1 ? { status: 500, body: "down" } : { status: 204 }));
    try {
      const tenant = await createTenant(server);
      const endpoint = await addWebhook(server, tenant, `${receiver.url}/hooks/ledgix`, ["clearance.pending_review"]);
      // Standard base64, so Standard Webhooks libraries take the secret as it is.
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const requestId = await pendingRefund(tenant);

      const [first, second] = await receiver.waitFor(() => true, 2);
      expect(second!.body).toBe(first!.body);
      const event = JSON.parse(second!.body) as { id: string; type: string; created_at: string; data: { request_id: string; tool_args: unknown } };
      expect(event.type).toBe("clearance.pending_review");
      expect(event.data.request_id).toBe(requestId);
      expect(event.data.tool_args).toEqual({ amount: 450, currency: "USD" });
      const signature = second!.headers["x-ledgix-signature"] as string;
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhook(second!.body, signature, endpoint.secret)).toBe(true);
      expect(pythonVerifies(second!.body, signature, endpoint.secret)).toBe("True");
      expect(verifyWebhook(second!.body, signature, "whsec_wrong")).toBe(false);
      expect(second!.headers["x-ledgix-event-id"]).toBe(event.id);
      expect(Number(second!.headers["x-ledgix-timestamp"])).toBe(Math.floor(Date.parse(event.created_at) / 1000));

      // The Standard Webhooks signature covers the event id, the attempt's time and the body: the
      // reference library and the SDK verify each attempt, and refuse it with the time changed.
      const verifier = new WebhookVerifier(endpoint.secret);
      for (const attempt of [first!, second!]) {
        const sent = standardHeaders(attempt);
        expect(sent["webhook-id"]).toBe(event.id);
        expect(new Webhook(endpoint.secret).verify(attempt.body, sent)).toEqual(event);
        await expect(verifier.verify(attempt.body, sent)).resolves.toEqual(event);
        const moved = { ...sent, "webhook-timestamp": String(Number(sent["webhook-timestamp"]) - 1) };
        expect(() => new Webhook(endpoint.secret).verify(attempt.body, moved)).toThrow("No matching signature found");
        await expect(verifier.verify(attempt.body, moved)).rejects.toMatchObject({ reason: "signature_mismatch" });
      }
      await expect(verifier.verify(second!.body, standardHeaders(second!))).rejects.toMatchObject({ reason: "replayed" });
      // Signed when sent: the retry, about e seconds later (graphile-worker's first backoff), has its own time.
      expect(Number(second!.headers["webhook-timestamp"])).toBeGreaterThan(Number(first!.headers["webhook-timestamp"]));

      const log = async () => (JSON.parse(await cliOk(["webhook", "deliveries", "--tenant", tenant.name, "--json"], server.env)) as { id: string; channel: string; status: string; attempts: number; lastStatusCode: number }[]).filter((d) => d.channel === "webhook");
      let deliveries = await log();
      for (let i = 0; i < 50 && deliveries[0]?.status !== "delivered"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        deliveries = await log();
      }
      expect(deliveries).toMatchObject([{ status: "delivered", attempts: 2, lastStatusCode: 204 }]);

      await cliOk(["webhook", "resend", "--tenant", tenant.name, deliveries[0]!.id], server.env);
      const all = await receiver.waitFor(() => true, 3);
      expect(all[2]!.body).toBe(first!.body);
      expect(all[2]!.headers["x-ledgix-event-id"]).toBe(event.id);
      expect(new Webhook(endpoint.secret).verify(all[2]!.body, standardHeaders(all[2]!))).toEqual(event);
    } finally {
      await receiver.close();
    }
  });

  it("refuses a private endpoint unless the operator allows private URLs", async () => {
    const tenant = await createTenant(server, null);
    const add = (allow: string) => spawnSync(process.execPath, ["bin/ledgix.mjs", "webhook", "add", "--tenant", tenant.name, "--url", "http://169.254.169.254/latest", "--event", "clearance.approved"], {
      env: userEnv({ ...server.env, LEDGIX_ALLOW_PRIVATE_URLS: allow }),
    });
    const refused = add("0");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.toString()).toContain("169.254.169.254 is a linkLocal address");
    expect(add("1").status).toBe(0);
  });

  it("a crash between deciding and delivering loses nothing: the delivery arrives after a restart", async () => {
    const receiver = await fakeHttp(() => ({ status: 503, body: "not yet" }));
    try {
      const env = { ...(await databaseEnv("embedded")), ...channelEnv() };
      const first = await startServer("embedded", env);
      const tenant = await createTenant(first);
      await addWebhook(first, tenant, `${receiver.url}/in`, ["clearance.approved"]);
      const res = await tenant.post("/api/clearance", refund(50));
      const { request_id: requestId, status: decided } = await res.json();
      expect(decided).toBe("approved");
      // The first attempt is refused; once the queue has recorded it (the job is unlocked and
      // waits for its retry, seconds away), kill the app and its database. A kill while an attempt
      // is in flight leaves that job locked for graphile-worker's 4-hour lock timeout: late, not lost.
      await receiver.waitFor(() => true, 1);
      const queue = new pg.Client(embeddedConnection(env.LEDGIX_DATA_DIR));
      await queue.connect();
      try {
        const waiting = async () => (await queue.query("SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = 'webhook:deliver' AND attempts = 1 AND locked_at IS NULL")).rowCount === 1;
        for (const until = Date.now() + 30_000; !(await waiting()) && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
      } finally {
        await queue.end();
      }
      const postgres = Number(fs.readFileSync(path.join(clusterDir(env.LEDGIX_DATA_DIR), "postmaster.pid"), "utf8").split("\n")[0]);
      process.kill(first.pid, "SIGKILL");
      process.kill(postgres, "SIGKILL");
      receiver.answer(() => ({ status: 200 }));

      const second = await startServer("embedded", env);
      started.push(second);
      const delivered = await receiver.waitFor(() => true, 2, 120_000);
      const body = JSON.parse(delivered[1]!.body) as { type: string; data: { request_id: string } };
      expect(body).toMatchObject({ type: "clearance.approved", data: { request_id: requestId } });
      expect(delivered[1]!.body).toBe(delivered[0]!.body);
    } finally {
      await receiver.close();
    }
  });
});

const slackSign = (body: string, timestamp: number, secret = SLACK_SECRET) =>
  `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;

function slackClick(requestId: string, user: string, action = "ledgix_approve") {
  const payload = { type: "block_actions", user: { id: user }, actions: [{ action_id: action, value: requestId }] };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const postSlack = (body: string, headers: Record<string, string>) =>
  fetch(`${server.url}/api/slack/interactions`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });

describe("Slack", () => {
  it("posts the request with a dashboard link and buttons; counts a signed click only from a member, refuses bad and stale signatures", async () => {
    const hook = await fakeHttp(() => ({ status: 200, body: "ok" }));
    try {
      const tenant = await createTenant(server);
      await cliOk(["member", "add", "--tenant", tenant.name, "--email", "slack-reviewer@example.com", "--role", "reviewer"], server.env);
      // The Notifications screen's "review requested" Slack channel, set from the CLI.
      await cliOk(["notify", "set", "--tenant", tenant.name, "--event", "review_requested", "--slack-url", `${hook.url}/services/T0/B0/x`], server.env);

      const requestId = await pendingRefund(tenant);
      const [message] = await hook.waitFor(() => true);
      const posted = JSON.parse(message!.body) as { text: string; blocks: { type: string; elements?: { action_id: string; url?: string; value?: string }[] }[] };
      expect(posted.text).toContain("stripe_refund");
      const buttons = posted.blocks.find((b) => b.type === "actions")!.elements!;
      expect(buttons.find((b) => b.action_id === "ledgix_open")!.url).toMatch(new RegExp(`/requests/${requestId}$`));
      expect(buttons.map((b) => b.action_id)).toEqual(["ledgix_open", "ledgix_approve", "ledgix_deny"]);

      const now = Math.floor(Date.now() / 1000);
      const cases = [
        { name: "bad signature", body: slackClick(requestId, "U_REVIEWER"), ts: now, secret: "wrong-secret", status: 401 },
        { name: "stale timestamp", body: slackClick(requestId, "U_REVIEWER"), ts: now - 600, secret: SLACK_SECRET, status: 401 },
      ];
      for (const c of cases) {
        const res = await postSlack(c.body, { "x-slack-request-timestamp": String(c.ts), "x-slack-signature": slackSign(c.body, c.ts, c.secret) });
        expect(res.status, c.name).toBe(c.status);
        expect((await res.json()).error.code, c.name).toBe("slack_signature_invalid");
      }
      expect((await status(tenant, requestId)).status).toBe("pending_review");

      // Issue 19, finding 11: a signed body that is not a payload, and a user Slack cannot find.
      const broken = "payload={";
      const notJson = await postSlack(broken, { "x-slack-request-timestamp": String(now), "x-slack-signature": slackSign(broken, now) });
      expect(notJson.status).toBe(400);
      expect((await notJson.json()).error.code).toBe("invalid_request");
      const gone = slackClick(requestId, "U_GONE");
      const goneAnswer = await postSlack(gone, { "x-slack-request-timestamp": String(now), "x-slack-signature": slackSign(gone, now) });
      expect(goneAnswer.status).toBe(200);
      expect(await goneAnswer.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("not counted") });

      const stranger = slackClick(requestId, "U_STRANGER");
      const unknown = await postSlack(stranger, { "x-slack-request-timestamp": String(now), "x-slack-signature": slackSign(stranger, now) });
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("not counted") });
      expect((await status(tenant, requestId)).status).toBe("pending_review");

      const click = slackClick(requestId, "U_REVIEWER");
      const ok = await postSlack(click, { "x-slack-request-timestamp": String(now), "x-slack-signature": slackSign(click, now) });
      expect(await ok.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("Approved") });
      const after = await status(tenant, requestId);
      expect(after.status).toBe("approved");
      const users = slackApi.received.filter((r) => r.path === "/api/users.info");
      expect(users.map((r) => r.headers.authorization)).toContain("Bearer xoxb-test");
    } finally {
      await hook.close();
    }
  });
});
