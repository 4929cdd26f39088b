import { expect, test } from "./fixtures";
import { nav, screenshots, setUpTenant, signIn } from "./helpers";

// Standing approvals in the dashboard: grant one from the inbox, see it cover the next call,
// list it, revoke it.

const POLICY = `policy_id: payouts
rules:
  - id: payout-review
    tool: payout
    effect: review
    reason: Payouts need a person
`;

test("reviewer: approve with a standing approval, see it used, revoke it", async ({ page, request }) => {
  const key = await setUpTenant("vandelay", { members: [["reviewer@vandelay.test", "reviewer"]], key: "e2e", policies: [POLICY] });
  const ask = async (amount: number) => (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "payout", tool_args: { amount }, agent_id: "agent-pay", session_id: "s-1", context: { policy_id: "payouts" } },
  })).json();

  expect((await ask(150)).status).toBe("pending_review");
  await signIn(page, "reviewer@vandelay.test");
  await nav(page, "Reviews");
  const sizes = page.getByTestId("grant-size");
  // Narrowest first, and "just this once" unless the reviewer picks a size.
  await expect(sizes.locator("option")).toHaveText([
    "Just this once",
    "payout with these exact arguments by agent-pay: the next call",
    "payout with these exact arguments by agent-pay: the next 5 calls",
    "payout with these exact arguments by agent-pay: 1 h",
    "payout by agent-pay while args.amount >= 0 && args.amount <= 150, for 1 h",
    "payout in this session of agent-pay, for 1 h",
  ]);
  await expect(sizes).toHaveValue("");
  await sizes.selectOption({ label: "payout by agent-pay while args.amount >= 0 && args.amount <= 150, for 1 h" });
  await screenshots(page, "reviews-grant-size");
  await page.getByRole("button", { name: /Approve/ }).click();
  // Sent once its undo window has passed; only then does the standing approval exist.
  await expect(page.getByRole("status")).toHaveText(/\) approved\.$/);
  await expect(page.getByTestId("review-empty")).toBeVisible();

  expect(await ask(120)).toMatchObject({ status: "approved", reason_code: "standing_approval" });
  expect((await ask(151)).status).toBe("pending_review");

  await nav(page, "Standing approvals");
  await expect(page.getByTestId("grant-row")).toHaveCount(1);
  await expect(page.getByTestId("grant-row")).toContainText("args.amount >= 0 && args.amount <= 150");
  await screenshots(page, "standing-approvals");
  await page.getByTestId("revoke-grant").click();
  await expect(page.getByTestId("grant-row")).toHaveCount(0);
  expect((await ask(120)).status).toBe("pending_review");
});
