// Issue 21, "The console, to Linear's standard": the defects a new user saw, each through the real pages.
import { expect, test } from "./fixtures";
import { applyPolicy, ledgix, PASSWORD, REVIEW_EVERY_REFUND, screenshotsAtBothWidths, signIn } from "./helpers";

test("sign-in keeps the email after a wrong password", async ({ page }) => {
  ledgix(["tenant", "create", "oscorp"]);
  ledgix(["member", "add", "--tenant", "oscorp", "--email", "norman@oscorp.test", "--role", "owner", "--password-stdin"], PASSWORD);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("norman@oscorp.test");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That email and password do not match.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("norman@oscorp.test");
  await expect(page.getByLabel("Password")).toHaveValue("");
  await screenshotsAtBothWidths(page, "sign-in-wrong-password");

  // The magic-link button works on the email that stayed.
  await expect(page.getByRole("button", { name: "Email me a sign-in link" })).toBeEnabled();
});

test("a break-glass operator decision reads as one on the timeline, not as a reviewer's approval", async ({ page, request }) => {
  ledgix(["tenant", "create", "stark"]);
  ledgix(["member", "add", "--tenant", "stark", "--email", "pepper@stark.test", "--role", "admin", "--password-stdin"], PASSWORD);
  const key = ledgix(["key", "create", "--tenant", "stark"]);
  applyPolicy("stark", REVIEW_EVERY_REFUND);
  const asked = await (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: { amount: 900, currency: "USD" }, agent_id: "refund-bot", context: { policy_id: "refunds" } },
  })).json();
  ledgix(["review", "decide", asked.request_id, "--approve", "--operator", "happy"]);

  await signIn(page, "pepper@stark.test");
  await page.goto(`/requests/${asked.request_id}`);
  const timeline = page.getByTestId("timeline");
  await expect(timeline.getByRole("heading", { name: "Break-glass decision" })).toBeVisible();
  await expect(timeline).toContainText("Approved by operator happy through the CLI, alone (break-glass: no quorum, four-eyes or reviewer-group rule applied).");
  await expect(timeline).not.toContainText("by a reviewer");
  await screenshotsAtBothWidths(page, "timeline-break-glass");
});

test("the API reference shows every operation of /api/openapi.json, with inline code rendered, not raw backticks", async ({ page, request }) => {
  ledgix(["tenant", "create", "wonka"]);
  ledgix(["member", "add", "--tenant", "wonka", "--email", "willy@wonka.test", "--role", "viewer", "--password-stdin"], PASSWORD);
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
