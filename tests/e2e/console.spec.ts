// Issue 21, "The console, to Linear's standard": the defects a new user saw, each through the real pages.
import { expect, test } from "./fixtures";
import { REVIEW_EVERY_REFUND, decideAsOperator, screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

test("sign-in keeps the email after a wrong password", async ({ page }) => {
  await setUpTenant("oscorp", { members: [["norman@oscorp.test", "owner"]] });
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("norman@oscorp.test");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That email and password do not match.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("norman@oscorp.test");
  await expect(page.getByLabel("Password")).toHaveValue("");

  // While email is not configured the page says where mail goes, and a sign-in link lands there,
  // listed on the Notifications screen of the person's tenant.
  await expect(page.getByTestId("outbox-notice")).toContainText(`Email is not configured: messages go to ${process.env.LEDGIX_E2E_DATA_DIR}/outbox`);
  await screenshotsAtBothWidths(page, "sign-in-wrong-password");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByText("Check your email for a sign-in link.")).toBeVisible();
  await signIn(page, "norman@oscorp.test");
  await page.goto("/notifications");
  await expect(page.getByTestId("outbox")).toContainText("Sign in to Ledgix");
});

test("a break-glass operator decision reads as one on the timeline, not as a reviewer's approval", async ({ page, request }) => {
  const key = await setUpTenant("stark", { members: [["pepper@stark.test", "admin"]], key: "default", policies: [REVIEW_EVERY_REFUND] });
  const asked = await (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: { amount: 900, currency: "USD" }, agent_id: "refund-bot", context: { policy_id: "refunds" } },
  })).json();
  await decideAsOperator(asked.request_id, "happy");

  await signIn(page, "pepper@stark.test");
  await page.goto(`/requests/${asked.request_id}`);
  const timeline = page.getByTestId("timeline");
  await expect(timeline.getByRole("heading", { name: "Break-glass decision" })).toBeVisible();
  await expect(timeline).toContainText("Approved by operator happy through the CLI, alone (break-glass: no quorum, four-eyes or reviewer-group rule applied).");
  await expect(timeline).not.toContainText("by a reviewer");
  await screenshotsAtBothWidths(page, "timeline-break-glass");
});

test("the API reference shows every operation of /api/openapi.json, with inline code rendered, not raw backticks", async ({ page, request }) => {
  await setUpTenant("wonka", { members: [["willy@wonka.test", "viewer"]] });
  const doc = await (await request.get("/api/openapi.json")).json();
  const operations = Object.values(doc.paths as Record<string, object>).flatMap((methods) => Object.keys(methods));
  expect(operations.length).toBeGreaterThan(30);

  await signIn(page, "willy@wonka.test");
  await page.goto("/api-reference");
  await expect(page.getByTestId("api-operation")).toHaveCount(operations.length);
  const main = page.getByRole("main");
  expect(await main.textContent()).not.toContain("`");
  await expect(main.locator("code", { hasText: "X-Vault-API-Key" }).first()).toBeVisible();
  await expect(page.getByTestId("api-operation").filter({ hasText: "/api/clearance-status/{requestId}" })).toContainText("request_not_found");
  await screenshotsAtBothWidths(page, "api-reference");
});

const refunds = (limit: number, extra = "") => `policy_id: refunds
rules:
  - id: refund-small
    tool: stripe_refund
    when: args.amount > 0 && args.amount <= ${limit}
    effect: allow
${extra}`;

test("policies: the editor opens on the active version, every version can be read, YAML errors point at the line, the diff summarises rules", async ({ page, pageProblems }) => {
  await setUpTenant("acme-policies", { members: [["wile@acme.test", "owner"]], policies: [
    refunds(50),
    refunds(100, "  - id: refund-rest\n    tool: stripe_refund\n    effect: review\n"),
  ] });

  await signIn(page, "wile@acme.test");
  await page.goto("/policies");
  const editor = page.getByLabel("Policy (YAML or JSON)");
  await expect(editor).toHaveValue(refunds(100, "  - id: refund-rest\n    tool: stripe_refund\n    effect: review\n"));
  await expect(page.getByTestId("editor-start")).toContainText("refunds");
  await expect(page.getByTestId("editor-start")).toContainText("(active)");
  expect(await editor.getAttribute("placeholder")).toContain("when: args.amount > 0 && args.amount <= 100");

  // A tab as indentation: the line, the column and the line as written.
  await editor.fill(refunds(100).replace("    tool: stripe_refund", "\ttool: stripe_refund"));
  await page.getByRole("button", { name: "Save and activate" }).click();
  const problems = page.getByTestId("policy-problems");
  await expect(problems).toContainText("Line 4, column 1: Tabs are not allowed as indentation");
  await expect(problems.locator("pre")).toContainText("tool: stripe_refund");
  await screenshotsAtBothWidths(page, "policies-editor-yaml-error");

  // Every stored version has its own page; the older one is not active.
  const versions = page.getByTestId("policy-card").getByRole("listitem");
  await expect(versions).toHaveCount(2);
  await versions.nth(1).getByRole("link", { name: /^sha256:/ }).click();
  await expect(page).toHaveURL(/\/policies\/versions\/pv_\w+/);
  await expect(page.getByTestId("policy-source")).toContainText("args.amount <= 50");
  await expect(page.getByRole("button", { name: "Activate" })).toBeVisible();
  await screenshotsAtBothWidths(page, "policies-version");
  await page.getByRole("link", { name: "Edit as a new version" }).click();
  await expect(editor).toHaveValue(refunds(50));

  // The diff: a rule-level summary and a way back.
  await page.getByRole("link", { name: "diff with previous" }).click();
  const summary = page.getByTestId("rule-summary");
  await expect(summary).toContainText("Added: 1");
  await expect(summary).toContainText("refund-rest (review)");
  await expect(summary).toContainText("Changed: 1");
  await expect(summary).toContainText("Removed: 0");
  await screenshotsAtBothWidths(page, "policies-diff");
  await page.getByRole("link", { name: "← Policies" }).click();
  await expect(page).toHaveURL(/\/policies$/);

  // No parameters: a page of the dashboard that says what to do, not a bare 404.
  const empty = await page.goto("/policies/diff");
  expect(empty!.status()).toBe(200);
  await expect(page.getByTestId("diff-empty")).toContainText("No versions chosen");
  await screenshotsAtBothWidths(page, "policies-diff-empty");
  // An unknown version: a 404 inside the dashboard, with the way back.
  pageProblems.expectFailureOf(/\/policies\/versions\/nope/);
  await page.goto("/policies/versions/nope");
  await expect(page.getByTestId("policy-not-found")).toContainText("No such policy version");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});

test("overview: decision latency is measured from arrival, and the chart draws bars only where there was activity", async ({ page, request }) => {
  const key = await setUpTenant("initrode", { members: [["bill@initrode.test", "viewer"]], key: "default", policies: [refunds(100)] });
  for (const amount of [10, 20, 30, 500]) {
    await request.post("/api/clearance", { headers: { "X-Vault-API-Key": key }, data: { tool_name: "stripe_refund", tool_args: { amount }, context: { policy_id: "refunds" } } });
  }
  await signIn(page, "bill@initrode.test");
  await page.goto("/overview?range=7d");
  const latency = page.getByText("Decision latency").locator("..");
  await expect(latency).toContainText(/\d+(\.\d)? ms \/ \d+(\.\d)? ms|\d+(\.\d)? s/);
  await expect(latency).not.toContainText("0 ms / 0 ms");
  await expect(page.locator(".recharts-bar").first()).toBeAttached();
  await expect(page.locator(".recharts-area")).toHaveCount(0);
  await screenshotsAtBothWidths(page, "overview");
});
