// Issue 21, "Review from a phone": Web Push to reviewers, end to end over real HTTP against a
// local fake push service that decrypts what it receives with keys only the test (standing in
// for the browser) holds. Subscriptions are saved through the dashboard's own server action.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { builtActions, signIn, type DashboardSession } from "../fixtures/dashboard";
import { fakePushService, verifiedVapid, type BrowserSubscription, type FakePushService } from "../fixtures/fake-push-service";
import { connectionOf, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const PASSWORD = "correct horse battery staple";
const actions = builtActions();
const SIGN_IN = actions.get("lib/auth/actions.ts#passwordSignInAction")!;
const SAVE_DEVICE = actions.get("lib/push/actions.ts#savePushSubscriptionAction")!;

let push: FakePushService;
let server: RunningServer;
let db: pg.Client;

beforeAll(async () => {
  push = await fakePushService();
  // The fake push service listens on 127.0.0.1 over plain http: the operator's switch for local
  // services (as the webhook tests use it) lifts the https and private-address rules.
  server = await startServer(undefined, { LEDGIX_ALLOW_PRIVATE_URLS: "1" });
  db = new pg.Client(connectionOf(server));
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await server?.stop();
  await push?.close();
});

/** A member of `tenant` with a password, signed in to the dashboard. */
async function member(tenant: TestTenant, role: string): Promise<DashboardSession> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  await cliOk(["member", "add", "--tenant", tenant.name, "--email", email, "--role", role, "--password-stdin"], server.env, PASSWORD);
  return signIn(server, SIGN_IN, email, PASSWORD);
}

/** The person enables notifications on a new device: the browser's subscription posted to the action. */
async function enableDevice(person: DashboardSession): Promise<BrowserSubscription> {
  const subscription = push.subscribe();
  const answer = await person.action(SAVE_DEVICE, [{ ...subscription }]);
  expect(answer.result, answer.text.slice(0, 300)).toMatchObject({ ok: true, id: expect.stringMatching(/^push_/) });
  return subscription;
}

const deliveriesOf = async (requestId: string) =>
  (await db.query<{ id: string; channel: string; target: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null }>(
    `SELECT id, channel, target, status, attempts, "lastStatusCode", "lastError" FROM notification_deliveries WHERE "requestId" = $1 ORDER BY "createdAt", id`, [requestId])).rows;

async function settled(requestId: string) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const rows = await deliveriesOf(requestId);
    if (rows.length > 0 && rows.every((r) => r.status !== "pending")) return rows;
  }
  throw new Error(`the deliveries of ${requestId} did not settle: ${JSON.stringify(await deliveriesOf(requestId))}`);
}

interface Payload { title: string; body: string; tool: string; args: string; deadline: string; url: string; tag: string }

describe("Web Push for reviewers", () => {
  it("pushes a review to each eligible reviewer's device only; a 410 removes the device without a retry; the push's link decides on its page", async () => {
    const tenant = await createTenant(server);
    const other = await createTenant(server);
    const reviewer = await member(tenant, "reviewer");
    const gone = await member(tenant, "admin");
    const viewer = await member(tenant, "viewer");
    const stranger = await member(other, "reviewer");
    const [reviewerDevice, goneDevice, viewerDevice, strangerDevice] = await Promise.all([reviewer, gone, viewer, stranger].map(enableDevice));
    push.answer(goneDevice!, 410);

    const res = await tenant.post("/api/clearance", refund(450, { tool_args: { amount: 450, currency: "USD", charge: "ch_3PqXyZ", customer: "cus_9Lk2", reason: "duplicate", note: "x".repeat(300) } }));
    const { request_id: requestId, status } = (await res.json()) as { request_id: string; status: string };
    expect(status).toBe("pending_review");

    const [received] = await push.waitFor(reviewerDevice!);
    const rows = await settled(requestId);

    // RFC 8292: signed by the instance's VAPID key, for the push service's origin.
    const vapid = verifiedVapid(received!.headers.authorization);
    const { rows: [key] } = await db.query<{ publicKey: string }>(`SELECT "publicKey" FROM push_vapid_keys`);
    expect(vapid.publicKey).toBe(key!.publicKey);
    expect(vapid.claims.aud).toBe(push.url);
    expect(vapid.claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(vapid.claims.sub).toMatch(/^(mailto:|https:)/);
    // RFC 8291/8188: the body is aes128gcm, readable only with the subscription's keys.
    expect(received!.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(received!.headers.ttl)).toBeGreaterThan(0);
    expect(received!.headers.urgency).toBe("high");
    expect(received!.body.toString("utf8")).not.toContain("stripe_refund");

    const payload = received!.payload as Payload;
    expect(payload.tool).toBe("stripe_refund");
    expect(payload.title).toBe("Review needed: stripe_refund");
    // A short summary: amount and currency first, the first few fields, cut short; not the call.
    expect(payload.args).toBe(`450 USD · charge: ch_3PqXyZ · customer: cus_9Lk2 · note: ${"x".repeat(39)}… · +1 more`);
    expect(JSON.stringify(payload)).not.toContain("x".repeat(40));
    expect(Date.parse(payload.deadline)).toBeGreaterThan(Date.now());
    expect(payload.tag).toBe(requestId);
    const token = /\/review\/([A-Za-z0-9_-]{43})$/.exec(payload.url)?.[1];
    expect(token, payload.url).toBeDefined();

    // The delivery is logged like an email: one row per device push, with who it went to.
    const pushes = rows.filter((r) => r.channel === "push");
    expect(pushes).toHaveLength(2);
    expect(pushes.find((r) => r.target.startsWith(reviewer.email))).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 201 });
    expect(rows.find((r) => r.channel === "email-link" && r.target === reviewer.email)).toMatchObject({ status: "delivered" });

    // 410: the subscription is gone. The device is removed, the delivery logged, nothing retried.
    const goneRow = pushes.find((r) => r.target.startsWith(gone.email))!;
    expect(goneRow).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 410, lastError: expect.stringMatching(/subscription has ended.*removed the device/) });
    expect(push.pushesTo(goneDevice!)).toHaveLength(1);
    expect((await db.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`push:${goneRow.id}`])).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM push_subscriptions p JOIN users u ON u.id = p."userId" WHERE u.email = $1`, [gone.email])).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM push_subscriptions p JOIN users u ON u.id = p."userId" WHERE u.email = $1`, [reviewer.email])).rowCount).toBe(1);

    // A viewer (may not decide) and another tenant's reviewer get nothing.
    expect(push.pushesTo(viewerDevice!)).toEqual([]);
    expect(push.pushesTo(strangerDevice!)).toEqual([]);
    expect(rows.some((r) => r.target.startsWith(viewer.email) || r.target.startsWith(stranger.email))).toBe(false);

    // Opening the push's link shows the review page and decides nothing; its form does.
    const page = await fetch(`${server.url}/review/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("stripe_refund");
    expect(html).toContain("Approve");
    const polled = async () => (await (await tenant.call(`/api/clearance-status/${requestId}`)).json()) as { status: string };
    expect((await polled()).status).toBe("pending_review");
    const decided = await fetch(`${server.url}/review/${token}/decide`, { method: "POST", body: new URLSearchParams({ decision: "approve" }), headers: { origin: server.url }, redirect: "manual" });
    expect(decided.status).toBe(303);
    expect((await polled()).status).toBe("approved");
    const { rows: [request] } = await db.query<{ decidedBy: string }>(`SELECT "decidedBy" FROM clearance_requests WHERE id = $1`, [requestId]);
    expect(request!.decidedBy).toBe(`reviewer:${reviewer.email} via push`);
    // The reviewer's emailed link to the same request is closed by the same vote.
    const { rows: links } = await db.query<{ channel: string; usedAt: Date | null }>(
      `SELECT l.channel, l."usedAt" FROM review_links l JOIN users u ON u.id = l."userId" WHERE l."requestId" = $1 AND u.email = $2 ORDER BY l.channel`, [requestId, reviewer.email]);
    expect(links.map((l) => [l.channel.replace(/^push:.*/, "push"), l.usedAt !== null])).toEqual([["email", true], ["push", true]]);
    expect(await (await fetch(`${server.url}/review/${token}`)).text()).toContain("You approved this request");
  });
});
