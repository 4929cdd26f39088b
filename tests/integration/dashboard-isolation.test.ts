// Issues 7 and 11: tenant isolation and roles as tables over every dashboard page, route
// handler and server action, signed in over real HTTP. An attacker who owns its tenant (so its
// role is not what stops it) aims each action at a victim tenant's real objects; each answer is
// the documented refusal, mentions nothing of the victim, and the victim's rows are unchanged.
// A second table runs each action as every role, expecting what lib/auth/access.ts allows.
// The tables must name every "use server" export, page and route handler (checked below).
import { createECDH, randomBytes } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { can, ROLES, type Permission, type Role } from "@/lib/auth/access";
import { embeddedConnection } from "@/lib/db/embedded-server";
import { cliOk } from "../fixtures/cli";
import {
  appFiles, builtActions, DashboardSession, form, serverActionSources, signIn, type ActionAnswer, type ActionEntry,
} from "../fixtures/dashboard";
import type { ServerInfo } from "../fixtures/server";
import { examplePolicy, refund } from "../fixtures/tenant";

const PASSWORD = "correct horse battery staple";
const actions = builtActions();
const entry = (name: string): ActionEntry => {
  const found = actions.get(name);
  if (!found) throw new Error(`${name} is not in the built server-reference manifest: run \`npx next build\``);
  return found;
};

/** One tenant's objects, made through its owner's dashboard and the API. */
interface World {
  tenant: { id: string; name: string };
  owner: DashboardSession;
  apiKey: string;
  keyId: string;
  versions: [string, string];
  member: string;
  /** A reviewer group with `member` in it, named for this tenant alone (names are per tenant, so the attack names the victim's). */
  group: string;
  approved: string;
  pending: string;
  decided: string;
  grantId: string;
  webhookId: string;
  deliveryId: string;
  /** The owner's push device (theirs alone, not the tenant's), with the subscription its browser sent. */
  pushDevice: { id: string; subscription: { endpoint: string; keys: { p256dh: string; auth: string } } };
}

const policySource = fs.readFileSync(examplePolicy, "utf8");

async function run(session: DashboardSession, name: string, args: Parameters<DashboardSession["action"]>[1]) {
  const answer = await session.action(entry(name), args);
  if (answer.status !== 200 && answer.status !== 303) throw new Error(`${name} as ${session.email}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer.result as Record<string, unknown>;
}

async function one(db: pg.Client, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.query<{ id: string }>(sql, params);
  if (rows.length !== 1) throw new Error(`expected one row for ${sql}, got ${rows.length}`);
  return rows[0]!.id;
}

async function waitFor(check: () => Promise<boolean>, what: () => Promise<string>) {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) if (await check()) return;
  throw new Error(`timed out waiting for ${await what()}`);
}

/**
 * Gives a tenant one of each thing an action can touch: an API key, two policy versions, a
 * second member, an approved request, a pending review, a reviewed request with its standing
 * approval, a webhook endpoint, a webhook delivery (settled, so only a resend could move it)
 * and notification settings.
 */
async function furnish(server: ServerInfo, db: pg.Client, tenant: World["tenant"], owner: DashboardSession): Promise<World> {
  const key = (await run(owner, "lib/auth/api-key-actions.ts#createKeyAction", ["ops", ["clearance", "ledger", "policy"]])).key as string;
  const keyId = await one(db, `SELECT id FROM api_keys WHERE "tenantId" = $1`, [tenant.id]);
  const v1 = (await run(owner, "lib/policy/actions.ts#uploadPolicyAction", [policySource])).versionId as string;
  const v2 = (await run(owner, "lib/policy/actions.ts#uploadPolicyAction", [`${policySource}\n# second version\n`])).versionId as string;
  const hook = `https://hooks.${tenant.name}.example/ledgix`;
  const first = ((await run(owner, "lib/webhooks/actions.ts#createWebhookAction", [{}, form({ url: hook, events: "clearance.pending_review" })])).created as { id: string }).id;
  const clear = async (amount: number) => {
    const res = await fetch(`${server.url}/api/clearance`, { method: "POST", headers: { "X-Vault-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(refund(amount)) });
    return ((await res.json()) as { request_id: string }).request_id;
  };
  const approved = await clear(45);
  const pending = await clear(500);
  // One delivery, to an endpoint whose host does not resolve; once the endpoint is removed
  // the delivery ends as "skipped", where only a resend could move it.
  const deliveries = `SELECT id, status, attempts, "lastError" FROM notification_deliveries WHERE "tenantId" = $1 AND channel = 'webhook'`;
  const settled = (status: string | null) => async () => {
    const { rows } = await db.query<{ status: string }>(deliveries, [tenant.id]);
    return rows.length === 1 && (status === null || rows[0]!.status === status);
  };
  const seen = async () => `${tenant.name}'s webhook delivery: ${JSON.stringify((await db.query(deliveries, [tenant.id])).rows)}`;
  await waitFor(settled(null), seen);
  await run(owner, "lib/webhooks/actions.ts#removeWebhookAction", [form({ id: first })]);
  await waitFor(settled("skipped"), seen);
  const deliveryId = (await db.query<{ id: string }>(deliveries, [tenant.id])).rows[0]!.id;
  const decided = await clear(600);
  const decision = await run(owner, "lib/review/actions.ts#decideReviewAction", [{ requestId: decided, approve: true, grant: { kind: "exact_args", uses: 3 } }]);
  expect(decision).toEqual({ ok: true, status: "approved" });
  const grantId = await one(db, `SELECT id FROM standing_grants WHERE "tenantId" = $1`, [tenant.id]);
  const webhookId = ((await run(owner, "lib/webhooks/actions.ts#createWebhookAction", [{}, form({ url: hook, events: "review.expired" })])).created as { id: string }).id;
  const notified = await run(owner, "lib/notify/actions.ts#saveNotificationAction", [{}, form({ event: "request_denied", emailRecipients: `alerts-${tenant.id}@example.com`, slackWebhookUrl: "" })]);
  expect(notified).toEqual({ ok: true });
  const member = `bob-${randomBytes(4).toString("hex")}@example.com`;
  expect(await run(owner, "lib/members/actions.ts#inviteMemberAction", [{ email: member, role: "reviewer" }])).toMatchObject({ ok: true });
  const browserKey = createECDH("prime256v1");
  browserKey.generateKeys();
  const subscription = {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(12).toString("base64url")}`,
    keys: { p256dh: browserKey.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") },
  };
  const pushDevice = { id: (await run(owner, "lib/push/actions.ts#savePushSubscriptionAction", [subscription])).id as string, subscription };
  const group = `reviewers-${randomBytes(4).toString("hex")}`;
  expect(await run(owner, "lib/members/actions.ts#createReviewerGroupAction", [group])).toMatchObject({ ok: true });
  expect(await run(owner, "lib/members/actions.ts#addToReviewerGroupAction", [{ group, email: member }])).toMatchObject({ ok: true });
  return { tenant, owner, apiKey: key, keyId, versions: [v1, v2], member, group, approved, pending, decided, grantId, webhookId, deliveryId, pushDevice };
}

const TENANT_TABLES = [
  "api_keys", "policies", "policy_versions", "clearance_requests", "memberships", "notification_settings",
  "webhook_endpoints", "notification_deliveries", "standing_grants", "review_votes", "reviewer_groups",
];

/** Every row the dashboard can change for a tenant, including its members' sessions. */
async function tenantState(db: pg.Client, tenantId: string): Promise<string[]> {
  const rows: string[] = [];
  for (const table of TENANT_TABLES) {
    const { rows: found } = await db.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM ${table} t WHERE "tenantId" = $1`, [tenantId]);
    rows.push(...found.map((r) => `${table} ${JSON.stringify(r.row)}`));
  }
  const tenant = await db.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM tenants t WHERE id = $1`, [tenantId]);
  const sessions = await db.query<{ row: unknown }>(`SELECT to_jsonb(s) AS row FROM sessions s JOIN memberships m ON m."userId" = s."userId" WHERE m."tenantId" = $1`, [tenantId]);
  const devices = await db.query<{ row: unknown }>(`SELECT to_jsonb(p) AS row FROM push_subscriptions p JOIN memberships m ON m."userId" = p."userId" WHERE m."tenantId" = $1`, [tenantId]);
  const inGroups = await db.query<{ row: unknown }>(`SELECT to_jsonb(gm) AS row FROM reviewer_group_members gm JOIN reviewer_groups g ON g.id = gm."groupId" WHERE g."tenantId" = $1`, [tenantId]);
  rows.push(...tenant.rows.map((r) => `tenants ${JSON.stringify(r.row)}`), ...sessions.rows.map((r) => `sessions ${JSON.stringify(r.row)}`),
    ...devices.rows.map((r) => `push_subscriptions ${JSON.stringify(r.row)}`), ...inGroups.rows.map((r) => `reviewer_group_members ${JSON.stringify(r.row)}`));
  return rows.sort();
}

type Args = Parameters<DashboardSession["action"]>[1];

/**
 * How an action refuses (lib/auth/member-action.ts): `result` ones answer 200 with their own
 * `{ ok: false, error }`, `{ error }` or problems saying why; the list's plain form buttons
 * (`silent`) answer 200 with nothing and change nothing. None is a 500 (issue 19, finding 11).
 */
type Refusal = { status: 200; says: RegExp };

interface ActionRow {
  action: string;
  /** From lib/auth/access.ts; null for the signed-out and any-member actions (sign-in, sign-out, switch). */
  permission: Permission | null;
  /** The attacker (an owner) aims it at the victim's objects. */
  attack: (v: World) => Args;
  expected: Refusal | { status: 200; result?: unknown; redirect?: string };
  /** A role without the permission, on its own tenant's objects: it would change something if allowed. */
  own?: (o: World) => Args;
  /** How a refused role's attempt is answered. */
  denied?: "result" | "silent";
  /** A role with the permission gets past the role check: a harmless input and the answer that proves it. */
  probe?: { args: (o: World) => Args; says: RegExp };
}

/**
 * A page with a loading.tsx has sent its 200 before the page itself calls notFound(); the
 * not-found answer then arrives in the stream, marked with this digest.
 */
const NOT_FOUND_DIGEST = "NEXT_HTTP_ERROR_FALLBACK;404";
const expectNotFound = (status: number, text: string, url: string) => {
  if (status === 200) expect(text, url).toContain(NOT_FOUND_DIGEST);
  else expect(status, url).toBe(404);
};

const FORBIDDEN = (role: Role) => new RegExp(`Your role \\(${role}\\) may not do this`);
const fresh = () => `nobody-${randomBytes(4).toString("hex")}@example.com`;

const ACTION_ROWS: ActionRow[] = [
  {
    action: "lib/auth/actions.ts#passwordSignInAction", permission: null,
    attack: (v) => [{}, form({ email: v.owner.email, password: "not the victim's password" })],
    expected: { status: 200, says: /That email and password do not match/ },
  },
  // A fetch action's redirect is a 200 with x-action-redirect; the tenant cookie must not be set.
  { action: "lib/auth/actions.ts#switchTenantAction", permission: null, attack: (v) => [form({ tenantId: v.tenant.id })], expected: { status: 200, redirect: "/overview" } },
  // Run with a session of its own (below): it must end only the caller's session.
  { action: "lib/auth/actions.ts#signOutAction", permission: null, attack: () => [], expected: { status: 200, redirect: "/sign-in" } },
  {
    action: "lib/auth/api-key-actions.ts#createKeyAction", permission: "manageKeys", denied: "result",
    // No id to aim: the key lands in the attacker's own tenant.
    attack: () => ["attacker's key", ["clearance"]], expected: { status: 200, result: expect.objectContaining({ ok: true }) },
    own: () => ["a viewer's key", ["clearance"]],
    probe: { args: () => ["", ["clearance"]], says: /Give the key a name/ },
  },
  {
    action: "lib/auth/api-key-actions.ts#revokeKeyAction", permission: "manageKeys", denied: "result",
    attack: (v) => [v.keyId], expected: { status: 200, says: /No such API key/ },
    own: (o) => [o.keyId],
    probe: { args: () => ["key_00000000000000000000000000"], says: /No such API key/ },
  },
  {
    action: "lib/auth/api-key-actions.ts#rotateKeyAction", permission: "manageKeys", denied: "result",
    attack: (v) => [v.keyId, 0], expected: { status: 200, says: /No such API key/ },
    own: (o) => [o.keyId, 0],
    probe: { args: (o) => [o.keyId, 5], says: /Pick a grace period/ },
  },
  {
    action: "lib/grants/actions.ts#revokeGrantAction", permission: "decideReviews", denied: "result",
    attack: (v) => [v.grantId], expected: { status: 200, says: /No standing approval/ },
    own: (o) => [o.grantId],
    probe: { args: () => ["grt_00000000000000000000000000"], says: /No standing approval/ },
  },
  {
    action: "lib/review/actions.ts#decideReviewAction", permission: "decideReviews", denied: "result",
    attack: (v) => [{ requestId: v.pending, approve: false, reason: "attacker" }], expected: { status: 200, says: /No clearance request/ },
    own: (o) => [{ requestId: o.pending, approve: false, reason: "a viewer's denial" }],
    probe: { args: () => [{ requestId: "req_00000000000000000000000000", approve: true }], says: /No clearance request/ },
  },
  {
    action: "lib/policy/actions.ts#uploadPolicyAction", permission: "managePolicies", denied: "result",
    // A policy under the victim's slug is the attacker's own policy of that name.
    attack: () => [`${policySource}\n# the attacker's\n`], expected: { status: 200, result: expect.objectContaining({ ok: true }) },
    own: () => [`${policySource}\n# a viewer's\n`],
    probe: { args: () => [""], says: /The policy is empty/ },
  },
  {
    action: "lib/policy/actions.ts#activateVersionAction", permission: "managePolicies", denied: "result",
    attack: (v) => [v.versions[0]], expected: { status: 200, says: /No such policy version/ },
    own: (o) => [o.versions[0]],
    probe: { args: () => ["pv_00000000000000000000000000"], says: /No such policy version/ },
  },
  {
    action: "lib/members/actions.ts#inviteMemberAction", permission: "manageMembers", denied: "result",
    // Inviting the victim's member adds that person to the attacker's tenant only.
    attack: (v) => [{ email: v.member, role: "viewer" }], expected: { status: 200, result: expect.objectContaining({ ok: true }) },
    own: () => [{ email: fresh(), role: "viewer" }],
    probe: { args: (o) => [{ email: o.member, role: "reviewer" }], says: /already a member/ },
  },
  {
    action: "lib/members/actions.ts#changeRoleAction", permission: "manageMembers", denied: "result",
    attack: (v) => [{ email: v.owner.email, role: "viewer" }], expected: { status: 200, says: /is not a member of this tenant/ },
    own: (o) => [{ email: o.member, role: "viewer" }],
    probe: { args: () => [{ email: fresh(), role: "viewer" }], says: /is not a member of this tenant/ },
  },
  {
    action: "lib/members/actions.ts#removeMemberAction", permission: "manageMembers", denied: "result",
    attack: (v) => [v.owner.email], expected: { status: 200, says: /is not a member of this tenant/ },
    own: (o) => [o.member],
    probe: { args: () => [fresh()], says: /is not a member of this tenant/ },
  },
  {
    action: "lib/members/actions.ts#createReviewerGroupAction", permission: "manageMembers", denied: "result",
    // Names are per tenant: the victim's group name makes a group in the attacker's tenant only.
    attack: (v) => [v.group], expected: { status: 200, result: expect.objectContaining({ ok: true }) },
    own: () => [`viewers-${randomBytes(4).toString("hex")}`],
    probe: { args: () => ["Not A Slug"], says: /A group's name is lowercase letters/ },
  },
  {
    action: "lib/members/actions.ts#deleteReviewerGroupAction", permission: "manageMembers", denied: "result",
    // Run after the create row above: the attacker's group of that name goes, the victim's stays.
    attack: (v) => [v.group], expected: { status: 200, result: expect.objectContaining({ ok: true }) },
    own: (o) => [o.group],
    probe: { args: () => ["no-such-group"], says: /No reviewer group no-such-group/ },
  },
  {
    action: "lib/members/actions.ts#addToReviewerGroupAction", permission: "manageMembers", denied: "result",
    attack: (v) => [{ group: v.group, email: v.owner.email }], expected: { status: 200, says: /No reviewer group/ },
    own: (o) => [{ group: o.group, email: o.owner.email }],
    probe: { args: () => [{ group: "no-such-group", email: fresh() }], says: /No reviewer group no-such-group/ },
  },
  {
    action: "lib/members/actions.ts#removeFromReviewerGroupAction", permission: "manageMembers", denied: "result",
    attack: (v) => [{ group: v.group, email: v.member }], expected: { status: 200, says: /No reviewer group/ },
    own: (o) => [{ group: o.group, email: o.member }],
    probe: { args: () => [{ group: "no-such-group", email: fresh() }], says: /No reviewer group no-such-group/ },
  },
  {
    action: "lib/notify/actions.ts#saveNotificationAction", permission: "manageSettings", denied: "result",
    attack: () => [{}, form({ event: "request_denied", emailRecipients: "", slackWebhookUrl: "" })], expected: { status: 200, result: { ok: true } },
    own: () => [{}, form({ event: "request_denied", emailRecipients: "", slackWebhookUrl: "" })],
    probe: { args: () => [{}, form({ event: "no.such.event" })], says: /Unknown event/ },
  },
  {
    action: "lib/webhooks/actions.ts#createWebhookAction", permission: "manageSettings", denied: "result",
    attack: () => [{}, form({ url: "https://hooks.attacker.example/x", events: "review.expired" })], expected: { status: 200, result: expect.objectContaining({ created: expect.anything() }) },
    own: () => [{}, form({ url: "https://hooks.attacker.example/y", events: "review.expired" })],
    probe: { args: () => [{}, form({ url: "not a url", events: "review.expired" })], says: /full http\(s\) URL/ },
  },
  {
    action: "lib/webhooks/actions.ts#removeWebhookAction", permission: "manageSettings", denied: "silent",
    attack: (v) => [form({ id: v.webhookId })], expected: { status: 200 },
    own: (o) => [form({ id: o.webhookId })],
  },
  {
    action: "lib/webhooks/actions.ts#resendDeliveryAction", permission: "manageSettings", denied: "silent",
    attack: (v) => [form({ id: v.deliveryId })], expected: { status: 200 },
    own: (o) => [form({ id: o.deliveryId })],
  },
  {
    action: "lib/push/actions.ts#savePushSubscriptionAction", permission: "view", denied: "result",
    // The victim's own endpoint and keys: the attacker gets a device of its own; the victim's stays as it was.
    attack: (v) => [v.pushDevice.subscription], expected: { status: 200, result: { ok: true, id: expect.stringMatching(/^push_/) } },
    own: (o) => [o.pushDevice.subscription],
    probe: { args: (o) => [{ ...o.pushDevice.subscription, keys: { p256dh: "AAAA", auth: o.pushDevice.subscription.keys.auth } }], says: /keys.p256dh must be 65 bytes/ },
  },
  {
    action: "lib/push/actions.ts#removePushSubscriptionAction", permission: "view", denied: "result",
    attack: (v) => [v.pushDevice.id], expected: { status: 200, says: /No such device among yours/ },
    own: (o) => [o.pushDevice.id],
    probe: { args: () => ["push_00000000000000000000000000"], says: /No such device among yours/ },
  },
  {
    action: "lib/tenants/settings-actions.ts#saveSettingsAction", permission: "manageSettings", denied: "result",
    attack: () => [{}, form({ minimumConfidenceBucket: "low", tokenTtlSeconds: "31", ledgerCanonicalVersion: "1", reviewTimeoutSeconds: "900" })],
    expected: { status: 200, result: { ok: true } },
    own: () => [{}, form({ minimumConfidenceBucket: "low", tokenTtlSeconds: "32", ledgerCanonicalVersion: "1", reviewTimeoutSeconds: "900" })],
    probe: { args: () => [{}, form({ tokenTtlSeconds: "soon" })], says: /Enter a number of seconds/ },
  },
];

/** Dashboard pages: which URLs each file serves here, and whether they take one of the victim's ids. */
const PAGE_ROWS: { file: string; urls: (v: World) => string[]; byId?: boolean }[] = [
  { file: "app/(dashboard)/overview/page.tsx", urls: () => ["/overview", "/overview?range=30d"] },
  { file: "app/(dashboard)/reviews/page.tsx", urls: () => ["/reviews"] },
  { file: "app/(dashboard)/grants/page.tsx", urls: () => ["/grants"] },
  { file: "app/(dashboard)/requests/(list)/page.tsx", urls: (v) => ["/requests", `/requests?agent_id=agent-refunds&session_id=sess-1&q=${v.pending}`] },
  { file: "app/(dashboard)/requests/[requestId]/page.tsx", byId: true, urls: (v) => [`/requests/${v.pending}`, `/requests/${v.approved}`, `/requests/${v.decided}`] },
  { file: "app/(dashboard)/policies/page.tsx", urls: () => ["/policies"] },
  { file: "app/(dashboard)/policies/diff/page.tsx", byId: true, urls: (v) => [`/policies/diff?from=${v.versions[0]}&to=${v.versions[1]}`] },
  { file: "app/(dashboard)/policies/versions/[versionId]/page.tsx", byId: true, urls: (v) => v.versions.map((id) => `/policies/versions/${id}`) },
  { file: "app/(dashboard)/keys/page.tsx", urls: () => ["/keys"] },
  { file: "app/(dashboard)/ledger/page.tsx", urls: () => ["/ledger"] },
  { file: "app/(dashboard)/notifications/page.tsx", urls: () => ["/notifications"] },
  { file: "app/(dashboard)/settings/page.tsx", urls: () => ["/settings"] },
  { file: "app/(dashboard)/members/page.tsx", urls: () => ["/members"] },
  { file: "app/(dashboard)/api-reference/page.tsx", urls: () => ["/api-reference"] },
  { file: "app/(dashboard)/profile/page.tsx", urls: () => ["/profile"] },
];

/** Dashboard route handlers: the attacker's request at the victim, and the answer. */
const ROUTE_ROWS: { file: string; method: "GET" | "POST"; path: (v: World) => string; body?: (v: World) => unknown; permission: Permission; expected: { status: number; code?: string } }[] = [
  { file: "app/api/dashboard/reviews/route.ts", method: "GET", path: () => "/api/dashboard/reviews", permission: "view", expected: { status: 200 } },
  {
    file: "app/api/dashboard/ledger/bundle/route.ts", method: "GET", path: (v) => `/api/dashboard/ledger/bundle?request_id=${v.approved}`,
    permission: "view", expected: { status: 404, code: "request_not_found" },
  },
  {
    file: "app/api/dashboard/policies/replay/route.ts", method: "POST", path: () => "/api/dashboard/policies/replay",
    // A replay streams NDJSON: its status is sent before the version is looked up, so the refusal is the last line.
    body: (v) => ({ last: 10, policy_version_id: v.versions[0] }), permission: "managePolicies", expected: { status: 200, code: "policy_version_not_found" },
  },
];

describe("the isolation tables are complete", () => {
  it("every \"use server\" export is built and has a row", () => {
    expect([...actions.keys()].sort()).toEqual(serverActionSources());
    expect(ACTION_ROWS.map((r) => r.action).sort()).toEqual(serverActionSources());
  });

  it("every dashboard page and route handler has a row", () => {
    expect(PAGE_ROWS.map((r) => r.file).sort()).toEqual(appFiles("app/(dashboard)", /^page\.tsx$/));
    expect(ROUTE_ROWS.map((r) => r.file).sort()).toEqual(appFiles("app/api/dashboard", /^route\.ts$/));
  });

  it("every mutating action names the permission it needs", () => {
    for (const row of ACTION_ROWS.filter((r) => r.permission !== null)) {
      expect(row.denied, row.action).toBeDefined();
      expect(row.own, row.action).toBeDefined();
    }
  });
});

describe.each(inject("servers"))("dashboard isolation on the $kind database", (server) => {
  let db: pg.Client;
  let victim: World;
  let attacker: World;
  const people = {} as Record<Role, DashboardSession>;
  const signInAction = entry("lib/auth/actions.ts#passwordSignInAction");

  beforeAll(async () => {
    db = new pg.Client(server.kind === "embedded" ? embeddedConnection(server.env.LEDGIX_DATA_DIR!) : { connectionString: server.env.DATABASE_URL });
    await db.connect();
    const names = [`victim-${randomBytes(4).toString("hex")}`, `attacker-${randomBytes(4).toString("hex")}`];
    const [victimId, attackerId] = await Promise.all(names.map((name) => cliOk(["tenant", "create", name], server.env)));
    const email = (tenant: string, role: string) => `${role}@${tenant}.example`;
    const add = (tenant: string, role: Role) =>
      cliOk(["member", "add", "--tenant", tenant, "--email", email(tenant, role), "--role", role, "--password-stdin"], server.env, PASSWORD);
    await Promise.all([add(names[0]!, "owner"), ...ROLES.map((role) => add(names[1]!, role))]);
    const [victimOwner, ...staff] = await Promise.all([names[0]!, ...ROLES.map(() => names[1]!)].map((tenant, i) =>
      signIn(server, signInAction, email(tenant, i === 0 ? "owner" : ROLES[i - 1]!), PASSWORD)));
    ROLES.forEach((role, i) => (people[role] = staff[i]!));
    [victim, attacker] = await Promise.all([
      furnish(server, db, { id: victimId!, name: names[0]! }, victimOwner!),
      furnish(server, db, { id: attackerId!, name: names[1]! }, people.owner),
    ]);
  }, 240_000);

  afterAll(async () => {
    await db?.end();
  });

  /** Nothing of the victim beyond what the attacker itself sent. */
  const expectNothingOfVictim = (text: string, sent: string) => {
    const secrets = [victim.tenant.id, victim.tenant.name, victim.apiKey, victim.keyId, victim.owner.email, victim.member, victim.group, victim.approved, victim.pending, victim.decided, victim.grantId, victim.webhookId, victim.deliveryId, victim.pushDevice.id, ...victim.versions];
    for (const secret of secrets.filter((s) => !sent.includes(s))) expect(text, `the answer mentions ${secret}`).not.toContain(secret);
  };

  const outcome = (answer: ActionAnswer, expected: ActionRow["expected"]) => {
    expect(answer.status, answer.text.slice(0, 400)).toBe(expected.status);
    if ("says" in expected) expect(JSON.stringify(answer.result)).toMatch(expected.says);
    if ("result" in expected && expected.result !== undefined) expect(answer.result).toEqual(expected.result);
    if ("redirect" in expected) expect(answer.headers.get("x-action-redirect")).toMatch(new RegExp(`^${expected.redirect};`));
    expect(answer.headers.getSetCookie().join("\n")).not.toContain(victim.tenant.id);
  };

  describe("the attacker (an owner) aims each action at the victim", () => {
    it.each(ACTION_ROWS)("$action", async (row) => {
      const before = await tenantState(db, victim.tenant.id);
      // Sign-out ends the session it is sent with, so it gets one of its own.
      const session = row.action.endsWith("#signOutAction") ? await signIn(server, signInAction, people.owner.email, PASSWORD) : people.owner;
      const args = row.attack(victim);
      const answer = await session.action(entry(row.action), args);
      outcome(answer, row.expected);
      // The invite row has the attacker invite the victim's member by address; the attacker's own
      // pages (its members, its development outbox) then name that address, as the page rows allow.
      const sent = `${JSON.stringify(args, (_k, v: unknown) => (v instanceof FormData ? Object.fromEntries(v) : v))} ${victim.member}`;
      expectNothingOfVictim(answer.text + JSON.stringify([...answer.headers]), sent);
      expect(await tenantState(db, victim.tenant.id)).toEqual(before);
      // The attacker is still signed in to its own tenant, whatever it tried.
      const keys = await people.owner.get("/keys");
      expect(keys.status).toBe(200);
      expectNothingOfVictim(await keys.text(), "");
    });
  });

  describe("pages: the attacker sees only its own tenant", () => {
    it.each(PAGE_ROWS)("$file", async (row) => {
      for (const url of row.urls(victim)) {
        const res = await people.owner.get(url);
        const text = await res.text();
        if (row.byId) expectNotFound(res.status, text, url);
        else expect(res.status, `${url}: ${text.slice(0, 200)}`).toBe(200);
        // The attacker invited the victim's member into its own tenant (above), so it may see that address.
        expectNothingOfVictim(text, `${url} ${victim.member}`);
      }
    });

    it("a tenant cookie naming the victim's tenant is ignored", async () => {
      for (const { urls } of PAGE_ROWS) {
        for (const url of urls(attacker)) {
          const res = await people.owner.get(url, { "ledgix-tenant": victim.tenant.id });
          expect(res.status, url).toBe(200);
          expectNothingOfVictim(await res.text(), victim.member);
        }
      }
    });

    it("the attacker's own ids open (the 404s above are not a broken page)", async () => {
      for (const url of [`/requests/${attacker.pending}`, `/policies/diff?from=${attacker.versions[0]}&to=${attacker.versions[1]}`]) {
        const res = await people.owner.get(url);
        expect(res.status, url).toBe(200);
        expect(await res.text(), url).not.toContain(NOT_FOUND_DIGEST);
      }
    });
  });

  describe("route handlers", () => {
    it.each(ROUTE_ROWS)("$method $file", async (row) => {
      const res = row.method === "GET" ? await people.owner.get(row.path(victim)) : await people.owner.post(row.path(victim), row.body?.(victim));
      const text = await res.text();
      expect(res.status, text.slice(0, 300)).toBe(row.expected.status);
      if (row.expected.code) expect((JSON.parse(text.trim().split("\n").at(-1)!) as { error: { code: string } }).error.code).toBe(row.expected.code);
      expectNothingOfVictim(text, `${row.path(victim)} ${JSON.stringify(row.body?.(victim) ?? "")}`);
    });

    it.each(ROUTE_ROWS)("$method $file: signed out is 401", async (row) => {
      const res = await fetch(`${server.url}${row.path(victim)}`, { method: row.method, headers: { Origin: server.url }, body: row.body ? JSON.stringify(row.body(victim)) : undefined });
      expect(res.status).toBe(401);
    });
  });

  async function removeOwnWebhook(session: DashboardSession, role: Role) {
    const made = await session.action(entry("lib/webhooks/actions.ts#createWebhookAction"), [{}, form({ url: `https://hooks.${role}.example/z`, events: "review.expired" })]);
    const webhookId = (made.result as { created: { id: string } }).created.id;
    const answer = await session.action(entry("lib/webhooks/actions.ts#removeWebhookAction"), [form({ id: webhookId })]);
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect((await db.query(`SELECT 1 FROM webhook_endpoints WHERE id = $1`, [webhookId])).rowCount).toBe(0);
  }

  /** The resend runs the delivery again; its endpoint is gone, so it settles as "skipped" once more. */
  async function resendOwnDelivery(session: DashboardSession) {
    const answer = await session.action(entry("lib/webhooks/actions.ts#resendDeliveryAction"), [form({ id: attacker.deliveryId })]);
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    const status = `SELECT status, "lastError" FROM notification_deliveries WHERE id = $1`;
    await waitFor(async () => (await db.query<{ status: string }>(status, [attacker.deliveryId])).rows[0]?.status === "skipped", async () => `the resent delivery to settle: ${JSON.stringify((await db.query(status, [attacker.deliveryId])).rows)}`);
  }

  describe("roles (from lib/auth/access.ts)", () => {
    const cases = ACTION_ROWS.filter((r) => r.permission !== null).flatMap((row) => ROLES.map((role) => ({ row, role, allowed: can(role, row.permission!) })));

    it.each(cases)("$row.action as $role (allowed: $allowed)", async ({ row, role, allowed }) => {
      const session = people[role];
      if (!allowed) {
        const before = await tenantState(db, attacker.tenant.id);
        const answer = await session.action(entry(row.action), row.own!(attacker));
        expect(answer.status, answer.text.slice(0, 300)).toBe(200);
        if (row.denied === "result") expect(JSON.stringify(answer.result)).toMatch(FORBIDDEN(role));
        expect(await tenantState(db, attacker.tenant.id)).toEqual(before);
      } else if (row.probe) {
        const answer = await session.action(entry(row.action), row.probe.args(attacker));
        expect(answer.status, answer.text.slice(0, 300)).toBe(200);
        expect(JSON.stringify(answer.result)).toMatch(row.probe.says);
      } else {
        // No harmless input tells "allowed" from "refused" (neither answers anything): do it for real on an object of its own.
        await (row.action.endsWith("#removeWebhookAction") ? removeOwnWebhook(session, role) : resendOwnDelivery(session));
      }
    });

    it("a reviewer decides a review; a viewer may not", async () => {
      const viewer = await people.viewer.action(entry("lib/review/actions.ts#decideReviewAction"), [{ requestId: attacker.pending, approve: true }]);
      expect(viewer.result).toEqual({ ok: false, error: "Your role (viewer) may not do this." });
      const reviewer = await people.reviewer.action(entry("lib/review/actions.ts#decideReviewAction"), [{ requestId: attacker.pending, approve: true }]);
      expect(reviewer.result).toEqual({ ok: true, status: "approved" });
    });

    it.each(ROLES)("every page opens for a %s (all need only \"view\")", async (role) => {
      for (const { urls, byId } of PAGE_ROWS) {
        for (const url of urls(attacker).filter(() => !byId)) expect((await people[role].get(url)).status, url).toBe(can(role, "view") ? 200 : 403);
      }
    });

    it.each(ROUTE_ROWS.flatMap((row) => ROLES.map((role) => ({ row, role }))))("$row.method $row.file as $row.role", async ({ row, role }) => {
      const path = row.path(attacker).replace(/request_id=[^&]+/, `request_id=${attacker.approved}`);
      const res = row.method === "GET" ? await people[role].get(path) : await people[role].post(path, row.body?.(attacker));
      await res.text();
      expect(res.status, `${role} ${path}`).toBe(can(role, row.permission) ? 200 : 403);
    });
  });

  describe("CSRF: an action needs its own Origin", () => {
    const revoke = () => entry("lib/auth/api-key-actions.ts#revokeKeyAction");

    it.each([
      { name: "a foreign Origin", headers: { Origin: "https://evil.example" } },
      { name: "Origin: null", headers: { Origin: "null" } },
      { name: "no Origin", headers: {} as Record<string, string> },
    ])("$name is refused and changes nothing", async ({ headers }) => {
      const before = await tenantState(db, attacker.tenant.id);
      const answer = await people.owner.action(revoke(), [attacker.keyId], headers);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(answer.result ?? null)).not.toContain("\"ok\":true");
      expect(await tenantState(db, attacker.tenant.id)).toEqual(before);
    });

    // Issue 19, finding 11: the form a page renders without JavaScript posts `$ACTION_ID_<id>`
    // instead of a Next-Action header; and X-Forwarded-Host is no proxy's word unless one is configured.
    it.each([
      { name: "a no-JavaScript form post without Origin", headers: {} as Record<string, string> },
      { name: "a form post whose forged X-Forwarded-Host matches its foreign Origin", headers: { Origin: "https://evil.example", "X-Forwarded-Host": "evil.example" } },
    ])("$name is refused and changes nothing", async ({ headers }) => {
      const action = entry("lib/webhooks/actions.ts#removeWebhookAction");
      const body = new FormData();
      body.set(`$ACTION_ID_${action.id}`, "");
      body.set("id", attacker.webhookId);
      const before = await tenantState(db, attacker.tenant.id);
      const res = await fetch(`${server.url}${action.page}`, { method: "POST", body, redirect: "manual", headers: { Cookie: people.owner.cookieHeader(), ...headers } });
      await res.text();
      expect(res.status).toBe(403);
      expect((await db.query(`SELECT 1 FROM webhook_endpoints WHERE id = $1`, [attacker.webhookId])).rowCount).toBe(1);
      expect(await tenantState(db, attacker.tenant.id)).toEqual(before);
    });

    it("a cross-site replay to the route handler is refused", async () => {
      const res = await people.owner.post("/api/dashboard/policies/replay", { last: 10, policy_version_id: attacker.versions[0] }, { Origin: "https://evil.example" });
      expect(res.status).toBe(403);
    });
  });

  it("the victim still sees its own objects as they were", async () => {
    const res = await victim.owner.get(`/requests/${victim.pending}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(victim.pending);
    const state = (await db.query<{ status: string }>(`SELECT status FROM clearance_requests WHERE id = $1`, [victim.pending])).rows[0];
    expect(state?.status).toBe("pending_review");
  });
});
