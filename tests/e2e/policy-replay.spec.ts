import { expect, test } from "./fixtures";
import { decideAsOperator, nav, screenshots, screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

const policy = (limit: number) => `policy_id: refunds
rules:
  - id: refund-small
    tool: stripe_refund
    when: args.amount <= ${limit}
    effect: allow
  - id: refund-rest
    tool: stripe_refund
    effect: review
`;

test("replay: a stricter draft version is replayed against history, with progress, and shows what would change", async ({ page, request }) => {
  const key = await setUpTenant("umbrella", { members: [["owner@umbrella.test", "owner"]], key: "default", policies: [
    policy(50), // the stricter version, stored but not active
    policy(100), // what decided the history below
  ] });
  // 40 refunds of 5, 10, …, 200: 20 approved (≤ 100), 20 sent to review.
  const reviewed: string[] = [];
  for (let amount = 5; amount <= 200; amount += 5) {
    const response = await request.post("/api/clearance", {
      headers: { "X-Vault-API-Key": key },
      data: { tool_name: "stripe_refund", tool_args: { amount }, context: { policy_id: "refunds" } },
    });
    expect(response.status()).toBeLessThan(300);
    const answer = await response.json();
    if (answer.status === "pending_review") reviewed.push(answer.request_id);
  }
  // People approve three of those sent to review. The policy's decision was still "review", as the
  // stricter version's is: replay compares what a policy decided, so these are no "changes".
  for (const id of reviewed.slice(0, 3)) await decideAsOperator(id, "ops");

  await signIn(page, "owner@umbrella.test");
  await nav(page, "Policies");
  const panel = page.getByTestId("replay-panel");
  await expect(panel.getByLabel("Version").locator("option").first()).not.toContainText("(active)");
  // The stream itself, as the panel reads it: progress lines as the work goes, then the report.
  const versionId = await panel.getByLabel("Version").inputValue();
  const streamed = await page.request.post("/api/dashboard/policies/replay", { headers: { Origin: new URL(page.url()).origin }, data: { policy_version_id: versionId, last: 500 } });
  expect(streamed.headers()["content-type"]).toContain("application/x-ndjson");
  const lines = (await streamed.text()).trim().split("\n").map((line) => JSON.parse(line));
  expect(lines.slice(0, -1)).toEqual([{ progress: { done: 25, total: 40 } }, { progress: { done: 40, total: 40 } }]);
  expect(lines.at(-1).result).toMatchObject({ replayed: 40, agreed: 30, transitions: { "approved->pending_review": 10 } });
  expect(Object.keys(lines.at(-1).result.transitions)).toEqual(["approved->pending_review"]);
  expect(lines.at(-1).result.human_decisions).toMatchObject({ total: 3, agreed: 0 });

  await panel.getByRole("button", { name: "Replay" }).click();
  const report = page.getByTestId("replay-report");
  await expect(report).toContainText("75.0%");
  await expect(report).toContainText("30 of 40");
  await expect(report.getByRole("list", { name: "Requests that would change" }).getByRole("listitem")).toHaveCount(10);
  await expect(report.locator(".recharts-bar-rectangle")).toHaveCount(1);
  await screenshots(page, "policies-replay");
  await screenshotsAtBothWidths(page, "policies-replay-people-not-changes");

  // A cross-site post with the member's cookie is refused.
  const forged = await page.request.post("/api/dashboard/policies/replay", { headers: { Origin: "https://evil.example" }, data: { last: 5, policy_version_id: "x" } });
  expect(forged.status()).toBe(403);
});
