import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";
import { createKey, ledgix, nav, screenshots, setUpTenant, signIn } from "./helpers";

const POLICY = `policy_id: refunds
rules:
  - id: refund-small
    tool: stripe_refund
    when: args.amount <= 100
    effect: allow
    reason: Small refunds are pre-approved
  - id: refund-medium
    tool: stripe_refund
    effect: review
    reason: Larger refunds need a person
`;

test.describe.configure({ mode: "serial" });

let requestId = "";

test.beforeAll(async () => {
  await setUpTenant("acme", { members: [["owner@acme.test", "owner"], ["viewer@acme.test", "viewer"]] });
  await setUpTenant("globex", { members: [["owner@globex.test", "owner"]] });
});

test("a wrong password is refused with a message, not a session", async ({ page }) => {
  await page.goto("/overview");
  await expect(page).toHaveURL(/\/sign-in/);
  await screenshots(page, "sign-in");
  await page.getByLabel("Email").fill("owner@acme.test");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That email and password do not match.")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("owner: key, policy, threshold, a request arrives live, approve, token, timeline", async ({ page, request }) => {
  await signIn(page, "owner@acme.test");
  await expect(page.getByTestId("overview-empty")).toBeVisible();
  await screenshots(page, "overview-empty");

  // Create a key; it is shown once.
  await nav(page, "API keys");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByLabel("Name").fill("e2e agent");
  // Agents' keys get clearance and ledger by default, never policy.
  await expect(page.getByRole("checkbox", { name: /^clearance/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^policy/ })).not.toBeChecked();
  await page.getByRole("button", { name: "Create key" }).last().click();
  const key = (await page.getByTestId("new-key").textContent())!.trim();
  expect(key).toMatch(/^lgx_/);
  await screenshots(page, "keys-created");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("key-row")).toHaveCount(1);
  await expect(page.getByTestId("key-row")).toContainText("clearance");
  await expect(page.getByTestId("key-row")).not.toContainText("policy");
  await screenshots(page, "keys");

  // A broken policy points at its line; the right one is saved and active.
  await nav(page, "Policies");
  await page.getByLabel("Policy (YAML or JSON)").fill(POLICY.replace("effect: review", "effect: maybe"));
  await page.getByRole("button", { name: "Save and activate" }).click();
  await expect(page.getByTestId("policy-problems")).toContainText("Line 10");
  await screenshots(page, "policies-error");
  await page.getByLabel("Policy (YAML or JSON)").fill(POLICY);
  await page.getByRole("button", { name: "Save and activate" }).click();
  await expect(page.getByText(/Saved refunds as version/)).toBeVisible();
  await page.getByLabel("Policy (YAML or JSON)").fill(POLICY.replace("<= 100", "<= 50"));
  await page.getByRole("button", { name: "Save and activate" }).click();
  await expect(page.getByTestId("policy-card").locator("li")).toHaveCount(2);
  await expect(page.getByTestId("policy-card").getByText("active")).toHaveCount(1);
  await screenshots(page, "policies");
  await page.getByRole("link", { name: "diff with previous" }).click();
  await expect(page.getByText("when: args.amount <= 50")).toBeVisible();
  await screenshots(page, "policy-diff");

  // Raise the confidence floor.
  await nav(page, "Settings");
  await page.getByLabel(/extra_high/).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(/extra_high/)).toBeChecked();
  await screenshots(page, "settings");

  // Open the queue, then send a request through the API: it appears without a reload.
  await nav(page, "Reviews");
  await expect(page.getByTestId("review-empty")).toBeVisible();
  await screenshots(page, "reviews-empty");
  const asked = await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: { amount: 500, currency: "USD", charge_id: "ch_123" }, agent_id: "support-bot", context: { policy_id: "refunds" } },
  });
  const body = await asked.json();
  expect(body.status).toBe("pending_review");
  requestId = body.request_id;
  await expect(page.getByTestId("review-item")).toHaveCount(1);
  await expect(page.getByTestId("review-detail")).toContainText("stripe_refund");
  await expect(page.getByTestId("pending-count")).toHaveText("1");
  await screenshots(page, "reviews");

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  // `a` holds the approval for its 5-second undo window (tests/e2e/review-inbox.spec.ts), then sends it.
  await page.keyboard.press("a");
  await expect(page.getByTestId("undo-vote")).toContainText("Approving stripe_refund…");
  await expect(page.getByRole("status")).toHaveText(`stripe_refund (${requestId}) approved.`);
  await expect(page.getByTestId("review-empty")).toBeVisible();

  const status = await (await request.get(`/api/clearance-status/${requestId}`, { headers: { "X-Vault-API-Key": key } })).json();
  expect(status.status).toBe("approved");
  expect(status.token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);

  await nav(page, "Requests");
  await expect(page.getByRole("link", { name: "stripe_refund" })).toHaveCount(1);
  await screenshots(page, "requests");
  await page.getByRole("link", { name: "stripe_refund" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${requestId}`));
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("By owner@acme.test through the dashboard");
  // Received, evaluated, the owner's approval (a vote), reviewed, token issued, ledger entry.
  await expect(timeline.locator('li[data-done="true"]')).toHaveCount(6, { timeout: 30_000 }).catch(async () => {
    // The ledger entry lands with the sequencer's next run; reload until it is there.
    await expect(async () => { await page.reload(); await expect(timeline.locator('li[data-done="true"]')).toHaveCount(6); }).toPass({ timeout: 30_000 });
  });
  await expect(timeline).toContainText("No gateway or service has used its token yet.");
  await screenshots(page, "request-timeline");

  // Unused, it is "approved, never executed"; once a gateway runs it, the timeline shows where and how.
  const unexecuted = async () => {
    await page.goto("/requests");
    await page.getByLabel("Execution").selectOption("unexecuted");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/execution=unexecuted/);
    return page.getByRole("link", { name: "stripe_refund" });
  };
  await expect(await unexecuted()).toHaveCount(1);
  const used = await request.post("/api/tokens/consume", { headers: { "X-Vault-API-Key": key }, data: { token: status.token, consumer: "refund-gateway" } });
  expect(used.status()).toBe(200);
  const { jti } = await used.json();
  expect((await request.post(`/api/tokens/${jti}/execution`, { headers: { "X-Vault-API-Key": key }, data: { status: 201 } })).status()).toBe(200);
  await expect(await unexecuted()).toHaveCount(0);
  await page.goto(`/requests/${requestId}`);
  await expect(page.getByTestId("token-uses")).toContainText(`Token ${jti} used by refund-gateway`);
  await expect(page.getByTestId("token-uses")).toContainText("the service answered 201.");
  await expect(timeline.locator('li[data-done="true"]')).toHaveCount(7);
  await screenshots(page, "request-timeline-executed");

  await nav(page, "Ledger");
  await expect(page.getByTestId("ledger-entry")).toHaveCount(1);
  await expect(page.getByTestId("verifier-key")).toContainText("ledgix.local/");
  await screenshots(page, "ledger");
  const bundle = await page.request.get(`/api/dashboard/ledger/bundle?request_id=${requestId}`);
  expect(bundle.status()).toBe(200);
  expect((await bundle.json()).event.request_id).toBe(requestId);

  await nav(page, "Overview");
  await expect(page.getByText("Decisions by status")).toBeVisible();
  await screenshots(page, "overview");
  await nav(page, "Members");
  await expect(page.getByText("viewer@acme.test")).toBeVisible();
  await screenshots(page, "members");

  const openapi = await (await request.get("/api/openapi.json")).json();
  expect(openapi.paths["/clearance"].post.requestBody).toBeTruthy();
  // Request bodies are inlined from the routes' zod schemas (lib/openapi/openapi.ts), not named components.
  expect(openapi.paths["/clearance"].post.requestBody.content["application/json"].schema.properties.tool_name.description).toBe("The tool the agent wants to run");
  await nav(page, "API reference");
  await expect(page.getByText("/api/clearance-status/{requestId}")).toBeVisible();
  await screenshots(page, "api-reference");
});

test("a viewer sees the queue but cannot approve", async ({ page, request }) => {
  const key = await createKey("acme", "viewer-test");
  const asked = await (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: { amount: 700, currency: "USD" }, context: { policy_id: "refunds" } },
  })).json();
  expect(asked.status).toBe("pending_review");

  await signIn(page, "viewer@acme.test");
  await expect(page.getByRole("link", { name: "API keys" })).toBeVisible();
  await nav(page, "Reviews");
  await expect(page.getByTestId("review-item")).toHaveCount(1);
  await expect(page.getByTestId("cannot-decide")).toBeVisible();
  await expect(page.getByRole("button", { name: /Approve/ })).toHaveCount(0);
  await page.keyboard.press("a");
  await expect(page.getByTestId("undo-vote")).toHaveCount(0);
  await page.waitForTimeout(500);
  const status = await (await request.get(`/api/clearance-status/${asked.request_id}`, { headers: { "X-Vault-API-Key": key } })).json();
  expect(status.status).toBe("pending_review");
  await expect(page.getByRole("button", { name: "Create key" })).toHaveCount(0);
});

test("another tenant's member cannot open this tenant's request or see its queue", async ({ page, pageProblems }) => {
  expect(requestId).toMatch(/^req_/);
  pageProblems.expectFailureOf(new RegExp(`/requests/${requestId}$`));
  await signIn(page, "owner@globex.test");
  // The page checks the tenant before it renders anything, so the answer is a real 404, not a 200 that shows one.
  const response = await page.goto(`/requests/${requestId}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByText("This page could not be found")).toBeVisible();
  await expect(page.getByTestId("timeline")).toHaveCount(0);
  const bundle = await page.request.get(`/api/dashboard/ledger/bundle?request_id=${requestId}`);
  expect(bundle.status()).toBe(404);
  const queue = await (await page.request.get("/api/dashboard/reviews")).json();
  expect(queue.pendingCount).toBe(0);
  await page.goto("/requests");
  await expect(page.getByText("No requests match.")).toBeVisible();
});

test("the dashboard's API refuses anyone signed out", async ({ request }) => {
  const response = await request.get("/api/dashboard/reviews");
  expect(response.status()).toBe(401);
  expect((await response.json()).error.code).toBe("unauthenticated");
});

test("the CLI's one-time sign-in link signs a new member in, once", async ({ page, browser }) => {
  const out = ledgix(["member", "add", "--tenant", "acme", "--email", "reviewer@acme.test", "--role", "reviewer"]);
  const link = /One-time sign-in link \(24 h\): (\S+)/.exec(out)![1]!;
  await page.goto(link);
  await expect(page).toHaveURL(/\/overview/);
  await expect(page.getByText("reviewer@acme.test")).toBeVisible();
  const other = await browser.newPage();
  await other.goto(link);
  await expect(other).toHaveURL(/\/sign-in/);
  await expect(other.getByText("That sign-in link has expired or was already used")).toBeVisible();
});

test("a magic link goes to the development outbox and signs in", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("viewer@acme.test");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByText("Check your email for a sign-in link.")).toBeVisible();
  const outbox = path.join(process.env.LEDGIX_E2E_DATA_DIR!, "outbox");
  const file = fs.readdirSync(outbox).find((f) => f.includes("viewer@acme.test") && f.endsWith(".json"))!;
  const email = JSON.parse(fs.readFileSync(path.join(outbox, file), "utf8"));
  expect(email.to).toBe("viewer@acme.test");
  await page.goto(/(http\S+callback\/email\S+)/.exec(email.text)![1]!);
  await expect(page).toHaveURL(/\/overview/);
  await expect(page.getByText("viewer@acme.test")).toBeVisible();
});

test("keys: a rotated key keeps working for its grace period; a revoked one stops at once", async ({ page, request }) => {
  await signIn(page, "owner@acme.test");
  await nav(page, "API keys");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByLabel("Name").fill("rotate-me");
  await page.getByRole("button", { name: "Create key" }).last().click();
  const oldKey = (await page.getByTestId("new-key").textContent())!.trim();
  await page.keyboard.press("Escape");
  const row = page.getByTestId("key-row").filter({ hasText: "rotate-me" });
  await row.getByRole("button", { name: "Rotate" }).click();
  await page.getByLabel("Old key stops working").selectOption("1");
  await page.getByRole("button", { name: "Rotate", exact: true }).last().click();
  const newKey = (await page.getByTestId("new-key").textContent())!.trim();
  expect(newKey).not.toBe(oldKey);
  await page.keyboard.press("Escape");
  const ping = (key: string) => request.get("/api/clearance-status/req_00000000000000000000000000", { headers: { "X-Vault-API-Key": key } });
  expect((await ping(oldKey)).status()).toBe(404);
  expect((await ping(newKey)).status()).toBe(404);
  await expect(page.getByTestId("key-row").filter({ hasText: "rotating" })).toHaveCount(1);

  const active = page.getByTestId("key-row").filter({ hasText: "rotate-me" }).filter({ hasText: "active" });
  await active.getByRole("button", { name: "Revoke" }).click();
  await page.getByLabel(/to confirm/).fill("rotate-me");
  await page.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const revoked = await ping(newKey);
  expect(revoked.status()).toBe(401);
  expect((await revoked.json()).error.code).toBe("api_key_revoked");
});
