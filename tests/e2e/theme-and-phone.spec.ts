import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { REVIEW_EVERY_REFUND, screenshots, setUpTenant, signIn } from "./helpers";

const isDark = (page: Page) => page.evaluate(() => document.documentElement.classList.contains("dark"));

test("the theme survives a reload: the system preference, or the reader's own choice over it", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/sign-in");
  expect(await isDark(page)).toBe(true);
  await page.reload();
  expect(await isDark(page)).toBe(true);

  await page.emulateMedia({ colorScheme: "light" });
  await page.reload();
  expect(await isDark(page)).toBe(false);
  await page.evaluate(() => localStorage.setItem("ledgix-theme", "dark"));
  await page.reload();
  expect(await isDark(page)).toBe(true);
});

/**
 * What sticks out past the phone's right edge, outermost elements only ([] when the page fits). A
 * mobile browser zooms out to fit a wide page, and then window.innerWidth grows with it: compare
 * with the device's width instead.
 */
const overflows = (page: Page) =>
  page.evaluate(() => {
    const wide = (el: Element) => el.getBoundingClientRect().right > screen.width + 0.5;
    // Inside a box that fits and scrolls or clips sideways (a wide table), it is not the page's width.
    const contained = (el: Element): boolean => {
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible" && !wide(up)) return true;
      }
      return false;
    };
    return [...document.body.querySelectorAll("*")]
      .filter((el) => wide(el) && !contained(el) && !(el.parentElement && el.parentElement !== document.body && wide(el.parentElement)))
      .map((el) => el.outerHTML.slice(0, 160));
  });

test.describe("on a 390 px phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("a reviewer reads and decides from the inbox and from the email link, without sideways scrolling", async ({ page, request }) => {
    const key = await setUpTenant("phone", { members: [["rev@phone.test", "reviewer"]], key: "default", policies: [REVIEW_EVERY_REFUND] });
    const ask = async (amount: number) => (await (await request.post("/api/clearance", {
      headers: { "X-Vault-API-Key": key },
      data: { tool_name: "stripe_refund", tool_args: { amount, currency: "USD", charge_id: `ch_${amount}` }, agent_id: "refund-bot", context: { policy_id: "refunds" } },
    })).json()).request_id as string;
    const [first, second] = [await ask(120), await ask(340)];

    await signIn(page, "rev@phone.test");
    await page.goto("/reviews");
    await expect(page.getByTestId("review-item")).toHaveCount(2);
    await expect(page.getByTestId("review-detail")).toContainText("stripe_refund");
    expect(await overflows(page)).toEqual([]);
    await screenshots(page, "phone-reviews");

    // The email link's page, as the reviewer opens it on the phone.
    const outbox = path.join(process.env.LEDGIX_E2E_DATA_DIR!, "outbox");
    const linkFor = (chargeId: string) => (fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).filter((name) => name.endsWith(".json"))
      .map((name) => JSON.parse(fs.readFileSync(path.join(outbox, name), "utf8")) as { to: string; text: string })
      .filter((email) => email.to === "rev@phone.test" && email.text.includes(chargeId))
      .map((email) => /https?:\/\/\S+\/review\/[\w-]+/.exec(email.text)?.[0]).find(Boolean);
    await expect.poll(() => linkFor("ch_340"), { timeout: 30_000 }).toBeTruthy();
    await page.goto(new URL(linkFor("ch_340")!).pathname);
    await expect(page.getByRole("heading", { name: "Review: stripe_refund" })).toBeVisible();
    expect(await overflows(page)).toEqual([]);
    await screenshots(page, "phone-review-link");
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("review-notice")).toBeVisible();
    const status = async (id: string) => (await (await request.get(`/api/clearance-status/${id}`, { headers: { "X-Vault-API-Key": key } })).json()).status;
    expect(await status(second)).toBe("approved");
    expect(await status(first)).toBe("pending_review");

    // The approved request's timeline, and the list of approvals never executed.
    await page.goto(`/requests/${second}`);
    await expect(page.getByTestId("timeline")).toContainText("No gateway or service has used its token yet.");
    expect(await overflows(page)).toEqual([]);
    await screenshots(page, "phone-request-timeline");
    await page.goto("/requests?execution=unexecuted");
    await expect(page.getByRole("link", { name: "stripe_refund" })).toHaveCount(1);
    expect(await overflows(page)).toEqual([]);
    await screenshots(page, "phone-requests-unexecuted");
  });

  test("every screen fits, reached through the menu", async ({ page }) => {
    await setUpTenant("phone-owner", { members: [["owner@phone.test", "owner"]] });
    await signIn(page, "owner@phone.test");
    const menu = page.getByRole("button", { name: "Open menu" });
    await expect(menu).toBeVisible();
    const main = page.locator("nav[aria-label=Main]");
    await expect(main).toBeHidden();
    // Read while the menu is closed (hidden links have no role), the pending count's digits left out.
    const labels = (await main.locator("a").allTextContents()).map((text) => text.replace(/\d+$/, "").trim());
    expect(labels.length).toBeGreaterThanOrEqual(10);
    for (const label of labels) {
      await menu.click();
      await main.getByRole("link", { name: label }).click();
      await expect(main).toBeHidden();
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await overflows(page), label).toEqual([]);
      await screenshots(page, `phone-screen-${label.toLowerCase().replace(/\W+/g, "-")}`);
    }
  });
});
