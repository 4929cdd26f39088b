import { expect, test } from "./fixtures";
import { REVIEW_EVERY_REFUND, awaitEmail, createKey, ledgix, screenshots, screenshotsAtBothWidths, setUpTenant } from "./helpers";

test("review by email link: opening decides nothing, Approve on the page does, and the page then says what the reviewer did and when", async ({ page, request }) => {
  await setUpTenant("wayne", { policies: [REVIEW_EVERY_REFUND] });
  // Invited without a password (the CLI prints the sign-in link): the reviewer has only the email's link.
  ledgix(["member", "add", "--tenant", "wayne", "--email", "lucius@wayne.test", "--role", "reviewer"]);
  const key = await createKey("wayne");

  const asked = await (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: { amount: 250, currency: "USD", charge_id: "ch_42" }, agent_id: "refund-bot", context: { policy_id: "refunds" } },
  })).json();
  expect(asked.status).toBe("pending_review");
  const poll = async () => (await request.get(`/api/clearance-status/${asked.request_id}`, { headers: { "X-Vault-API-Key": key } })).json();

  const email = await awaitEmail("lucius@wayne.test", "Review needed: stripe_refund");
  const link = /(https?:\/\/\S+\/review\/[\w-]+)/.exec(email.text)![1]!;
  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "Review: stripe_refund" })).toBeVisible();
  await expect(page.locator('[data-slot="json"]').getByText('"charge_id"')).toBeVisible();
  await expect(page.getByText("Every refund needs a person")).toBeVisible();
  // The link lives as long as the review: the tenant's default deadline, 15 minutes.
  const deadline = Date.parse((await page.getByText("Decide before:").locator("..").textContent())!.replace(/^Decide before: (.*?GMT).*/s, "$1"));
  expect(deadline - Date.now()).toBeGreaterThan(10 * 60_000);
  expect(deadline - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  expect((await poll()).status).toBe("pending_review"); // opening the link decided nothing
  await screenshots(page, "review-link");
  await screenshotsAtBothWidths(page, "review-link-open");

  await page.getByLabel("Reason (optional)").fill("Customer called; refund is legitimate.");
  await page.getByRole("button", { name: "Approve" }).click();
  // After the decision the page says what the reviewer did and when, not "This link was already used".
  const notice = page.getByTestId("review-notice");
  await expect(notice.getByRole("heading")).toHaveText("You approved this request");
  await expect(notice).toContainText(new RegExp(`You approved stripe_refund for agent refund-bot at \\d\\d:\\d\\d UTC on ${new Date().toISOString().slice(0, 10)}\\.`));
  await expect(notice).toContainText("The request is approved: the agent receives its token when it next asks.");
  await expect(notice).not.toContainText("already used");
  await expect(page.getByRole("banner")).toContainText("Ledgix");
  await screenshots(page, "review-link-used");
  await screenshotsAtBothWidths(page, "review-link-decided");
  const decided = await poll();
  expect(decided.status).toBe("approved");
  expect(decided.token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
});
