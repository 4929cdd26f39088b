import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { REVIEW_EVERY_REFUND, nav, screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

// The review inbox (issue 21, "The console, to Linear's standard"): list entries tell requests
// apart by their arguments, Deny stays beside Approve, and `a`/`d` wait 5 seconds, undoable,
// before the vote is sent. The undo window runs on Playwright's clock, so no test waits it out.
test.describe.configure({ mode: "serial" });

let key = "";
test.beforeAll(async () => {
  key = await setUpTenant("inbox", { members: [["ria@inbox.test", "reviewer"]], key: "default", policies: [REVIEW_EVERY_REFUND] });
});

async function ask(request: APIRequestContext, args: Record<string, unknown>) {
  const asked = await (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: args, agent_id: "refund-bot", context: { policy_id: "refunds" } },
  })).json();
  expect(asked.status).toBe("pending_review");
  return asked.request_id as string;
}

const statusOf = async (request: APIRequestContext, id: string) =>
  (await (await request.get(`/api/clearance-status/${id}`, { headers: { "X-Vault-API-Key": key } })).json()).status as string;

/**
 * Signs in and opens the inbox with the page's clock under the test's control; `paused`, it
 * moves only by runFor, so a countdown shows what the test expects however slow the machine.
 */
async function openInbox(page: Page, { paused = false } = {}) {
  await page.clock.install();
  await signIn(page, "ria@inbox.test");
  await nav(page, "Reviews");
  await expect(page.getByTestId("review-detail")).toContainText("stripe_refund");
  if (paused) await page.clock.pauseAt(Date.now() + 1000);
}

const entries = (page: Page) => page.getByTestId("review-item");
const undoBar = (page: Page) => page.getByTestId("undo-vote");

test("list entries show the arguments that differ, money first, not the same reason again", async ({ page, request }) => {
  await ask(request, { amount: 500, currency: "USD", charge_id: "ch_77", memo: "duplicate charge" });
  await ask(request, { amount: 120, currency: "USD", charge_id: "ch_12", memo: "duplicate charge" });
  await ask(request, { amount: 120, currency: "EUR", charge_id: "ch_13", memo: "duplicate charge" });
  await openInbox(page);
  await expect(page.getByTestId("review-item-summary")).toHaveText(["500 USD · ch_77", "120 USD · ch_12", "120 EUR · ch_13"]);
  await expect(entries(page).filter({ hasText: "Every refund needs a person" })).toHaveCount(0);
  // The reason is still in the selected request's detail.
  await expect(page.getByTestId("review-detail")).toContainText("Every refund needs a person");
  await screenshotsAtBothWidths(page, "inbox-differences");
});

test("Deny stays on the Approve row, with the longest grant size chosen and while editing, at 1280 and 390 px", async ({ page }) => {
  await openInbox(page);
  const detail = page.getByTestId("review-detail");
  const sameRow = async () => {
    const approve = await detail.getByRole("button", { name: /^Approve/ }).boundingBox();
    const deny = await detail.getByRole("button", { name: /^Deny/ }).boundingBox();
    expect(Math.abs(approve!.y - deny!.y), "Approve and Deny on one row").toBeLessThan(2);
    expect(deny!.x).toBeGreaterThan(approve!.x + approve!.width - 1);
  };
  const sizes = page.getByTestId("grant-size");
  const longest = (await sizes.locator("option").allTextContents()).reduce((a, b) => (b.length > a.length ? b : a));
  await sizes.selectOption({ label: longest });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await sameRow();
  }
  await screenshotsAtBothWidths(page, "inbox-decision-row");
  await page.getByRole("button", { name: "Edit arguments" }).click();
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await sameRow();
  }
  await screenshotsAtBothWidths(page, "inbox-decision-row-editing");
});

test("a and d wait 5 seconds, undoable with u, z or the button, before the vote is sent", async ({ page, request }) => {
  await openInbox(page, { paused: true });
  const first = await entries(page).first().getAttribute("id").then((id) => id!.replace("review-", ""));

  // `a`: the request leaves the list at once, the bar counts down, nothing is sent yet; `u` takes it back.
  await page.keyboard.press("a");
  await expect(undoBar(page)).toContainText("Approving stripe_refund…");
  await expect(undoBar(page).getByRole("button", { name: "Undo (5 s)" })).toBeVisible();
  await expect(entries(page)).toHaveCount(2);
  await page.clock.runFor(2100);
  await expect(undoBar(page).getByRole("button", { name: "Undo (3 s)" })).toBeVisible();
  await screenshotsAtBothWidths(page, "inbox-undo");
  await page.keyboard.press("u");
  await expect(undoBar(page)).toHaveCount(0);
  await expect(entries(page)).toHaveCount(3);
  await expect(entries(page).first()).toHaveAttribute("aria-selected", "true");
  await page.clock.runFor(6000);
  expect(await statusOf(request, first)).toBe("pending_review");

  // The Approve button, undone with `z`.
  await page.getByTestId("review-detail").getByRole("button", { name: /^Approve/ }).click();
  await expect(undoBar(page)).toBeVisible();
  await page.keyboard.press("z");
  await expect(undoBar(page)).toHaveCount(0);
  await page.clock.runFor(6000);
  expect(await statusOf(request, first)).toBe("pending_review");

  // Left alone, the approval is sent when the window ends.
  await page.keyboard.press("a");
  await page.clock.runFor(5100);
  await expect(page.getByRole("status")).toHaveText(`stripe_refund (${first}) approved.`);
  expect(await statusOf(request, first)).toBe("approved");

  // `d` asks for the reason first; the window starts once it is confirmed, and the Undo button works too.
  const second = await entries(page).first().getAttribute("id").then((id) => id!.replace("review-", ""));
  await page.keyboard.press("d");
  await page.getByLabel("Reason").fill("Refund already issued by hand");
  await page.getByRole("button", { name: "Deny request" }).click();
  await expect(undoBar(page)).toContainText("Denying stripe_refund…");
  await undoBar(page).getByRole("button", { name: /Undo/ }).click();
  await expect(entries(page)).toHaveCount(2);
  await page.keyboard.press("d");
  await page.getByLabel("Reason").fill("Refund already issued by hand");
  await page.getByRole("button", { name: "Deny request" }).click();
  expect(await statusOf(request, second)).toBe("pending_review");
  await page.clock.runFor(5100);
  await expect(page.getByRole("status")).toHaveText(`stripe_refund (${second}) denied.`);
  expect(await statusOf(request, second)).toBe("denied");
});

test("leaving the inbox during the window cancels the vote, and the inbox says so on return", async ({ page, request }) => {
  const id = await ask(request, { amount: 75, currency: "USD", charge_id: "ch_left" });
  await openInbox(page, { paused: true });
  const entry = page.locator(`#review-${id}`);
  await entry.click();

  // To another page of the dashboard.
  await page.keyboard.press("a");
  await expect(undoBar(page)).toBeVisible();
  await expect(entry).toHaveCount(0);
  await nav(page, "Requests");
  await expect(page).toHaveURL(/\/requests/);
  await page.clock.runFor(6000);
  expect(await statusOf(request, id)).toBe("pending_review");
  // The router's own timers run again for the way back.
  await page.clock.resume();
  await nav(page, "Reviews");
  await expect(page.getByTestId("unsent-votes")).toContainText(`Not sent: your approval of stripe_refund (${id}).`);
  await expect(entry).toHaveCount(1);
  await screenshotsAtBothWidths(page, "inbox-unsent");
  await page.getByTestId("unsent-votes").getByRole("button", { name: "Dismiss" }).click();
  await expect(page.getByTestId("unsent-votes")).toHaveCount(0);

  // A reload (the page is torn down, as when the tab closes).
  await entry.click();
  await page.keyboard.press("a");
  await expect(undoBar(page)).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("unsent-votes")).toContainText(`Not sent: your approval of stripe_refund (${id}).`);
  await page.clock.runFor(6000);
  expect(await statusOf(request, id)).toBe("pending_review");
});
