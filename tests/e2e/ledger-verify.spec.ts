import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ALLOW_EVERY_REFUND, nav, screenshots, setUpTenant, signIn } from "./helpers";

// "Verify in browser" on the Ledger screen: the SDK's checks run in Chromium over WebCrypto on a
// real bundle and all pass; a bundle with one flipped character fails at the matching check.

/** Reloads the Ledger screen until `count` entries each carry a checkpoint (the sequencer signs one within seconds). */
async function waitForCheckpointedEntries(page: Page, count: number) {
  await expect(async () => {
    await page.reload();
    const rows = page.getByTestId("ledger-entry");
    await expect(rows).toHaveCount(count);
    await expect(rows.getByRole("button", { name: /Verify in browser/ })).toHaveCount(count);
  }).toPass({ timeout: 60_000 });
}

test("owner: verify a ledger entry in the browser, and see a tampered bundle fail", async ({ page, request }) => {
  const key = await setUpTenant("cyberdyne", { members: [["owner@cyberdyne.test", "owner"]], key: "e2e", policies: [ALLOW_EVERY_REFUND] });
  const ask = async (amount: number) => (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: { amount, currency: "USD" }, context: { policy_id: "refunds" } },
  })).json();

  // Two entries in two checkpoints, so the first entry's bundle also proves consistency to the latest.
  expect((await ask(20)).status).toBe("approved");
  await signIn(page, "owner@cyberdyne.test");
  await nav(page, "Ledger");
  await expect(page).toHaveURL(/\/ledger$/);
  await waitForCheckpointedEntries(page, 1);
  expect((await ask(30)).status).toBe("approved");
  await waitForCheckpointedEntries(page, 2);

  await screenshots(page, "ledger-verify-table");
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshots(page, "ledger-verify-table-1920");
  await page.setViewportSize({ width: 1280, height: 800 });
  const firstEntry = page.getByRole("button", { name: "Verify in browser: leaf 0" });
  await firstEntry.click();
  const dialog = page.getByRole("dialog", { name: "Verify in browser" });
  await expect(dialog.getByTestId("verify-verdict")).toContainText("checks passed");
  const checks = dialog.getByTestId("verify-check");
  await expect(checks.and(page.locator('[data-status="passed"]'))).toHaveCount(18);
  await expect(checks.and(page.locator(':not([data-status="passed"])'))).toHaveCount(0);
  for (const check of ["event_hash", "leaf_hash", "receipt_signature", "inclusion_proof", "checkpoint_signature", "consistency_proof"]) {
    await expect(dialog.locator(`[data-check="${check}"]`).first()).toHaveAttribute("data-status", "passed");
  }
  const summary = dialog.getByTestId("verify-summary");
  await expect(summary).toContainText("Leaf index0");
  await expect(summary).toContainText("Tree size1 (latest 2)");
  await expect(summary).toContainText("Key id");
  await screenshots(page, "ledger-verify");

  // Escape closes the dialog and gives focus back to the button that opened it.
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(firstEntry).toBeFocused();

  // The same entry with one character of the event flipped on its way to the browser.
  await page.route("**/api/dashboard/ledger/bundle?*", async (route) => {
    const response = await route.fetch();
    const bundle = await response.json();
    const name: string = bundle.event.tool_name;
    bundle.event.tool_name = String.fromCharCode(name.charCodeAt(0) ^ 1) + name.slice(1);
    await route.fulfill({ response, json: bundle });
  });
  await page.keyboard.press("Enter");
  await expect(dialog.getByTestId("verify-verdict")).toContainText("Verification failed at “Event hash” (entry seq");
  await expect(dialog.locator('[data-check="event_hash"]')).toHaveAttribute("data-status", "failed");
  await expect(checks.and(page.locator('[data-status="passed"]'))).toHaveCount(1); // the embedded keys, before the event
  await screenshots(page, "ledger-verify-failed");

  // A checkpoint signature that is not the checkpoint's fails at that check, after the entry's own checks pass.
  await page.keyboard.press("Escape");
  await page.unrouteAll();
  await page.route("**/api/dashboard/ledger/bundle?*", async (route) => {
    const response = await route.fetch();
    const bundle = await response.json();
    bundle.inclusion.checkpoint.checkpoint_signature = bundle.event.receipt_signature;
    await route.fulfill({ response, json: bundle });
  });
  await firstEntry.click();
  await expect(dialog.getByTestId("verify-verdict")).toContainText("Verification failed at “Checkpoint signature”");
  await expect(dialog.locator('[data-check="receipt_signature"]')).toHaveAttribute("data-status", "passed");
});
