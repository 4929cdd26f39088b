import { decodeJwt } from "jose";
import { toolArgsHash } from "@/lib/clearance/args-hash";
import { expect, test } from "./fixtures";
import { awaitEmail, nav, screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

// Edit, then approve (issue 21) through the two screens reviewers use: the dashboard inbox and
// the email review page. The policy re-checks each edit; the token binds the edited call.
const POLICY = `policy_id: refunds
rules:
  - id: never-huge
    tool: stripe_refund
    when: args.amount > 5000
    effect: deny
    reason: Refunds above 5,000 are never made
  - id: refund-any
    tool: stripe_refund
    effect: review
    reason: Every refund needs a person
`;

test.describe.configure({ mode: "serial" });

let key = "";
test.beforeAll(async () => {
  key = await setUpTenant("edits", { members: [["rita@edits.test", "reviewer"]], key: "default", policies: [POLICY] });
});

const ASKED = { amount: 500, currency: "USD", charge_id: "ch_77" };

async function ask(request: import("@playwright/test").APIRequestContext, args = ASKED) {
  const asked = await (await request.post("/api/clearance", {
    headers: { "X-Vault-API-Key": key },
    data: { tool_name: "stripe_refund", tool_args: args, agent_id: "refund-bot", context: { policy_id: "refunds" } },
  })).json();
  expect(asked.status).toBe("pending_review");
  const status = async () => (await request.get(`/api/clearance-status/${asked.request_id}`, { headers: { "X-Vault-API-Key": key } })).json();
  return { id: asked.request_id as string, status };
}

test("in the inbox: edit the amount down, see the diff, approve; a denied edit is refused with the policy's reason", async ({ page, request }) => {
  const { id, status } = await ask(request);
  await signIn(page, "rita@edits.test");
  await nav(page, "Reviews");
  await expect(page.getByTestId("review-detail")).toContainText("stripe_refund");
  await page.getByRole("button", { name: "Edit arguments" }).click();
  const editor = page.getByLabel("Edited arguments (JSON)");

  await editor.fill(JSON.stringify({ ...ASKED, amount: 9000 }));
  await page.getByRole("button", { name: /Approve edited call/ }).click();
  // The edited call waits out its undo window like any vote; the server's refusal brings the request back, editor open.
  await expect(page.getByTestId("undo-vote")).toContainText("Approving stripe_refund with edited arguments…");
  await expect(page.getByTestId("review-detail").getByRole("alert")).toHaveText("The policy denies the edited call: Refunds above 5,000 are never made");
  expect((await status()).status).toBe("pending_review");

  await editor.fill("{ not json");
  await expect(page.getByRole("alert").filter({ hasText: "Not valid JSON" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Approve edited call/ })).toBeDisabled();

  await editor.fill(JSON.stringify({ ...ASKED, amount: 120 }, null, 2));
  await expect(page.getByTestId("args-diff")).toContainText("amount");
  await expect(page.getByTestId("args-diff").locator("del")).toHaveText("500");
  await expect(page.getByTestId("args-diff").locator("ins")).toHaveText("120");
  await screenshotsAtBothWidths(page, "review-edit-inbox");
  await page.getByRole("button", { name: /Approve edited call/ }).click();
  // The confirmation names its request, above the inbox: the card has moved on.
  await expect(page.getByRole("status")).toHaveText(`stripe_refund (${id}) approved with edited arguments.`);

  const approved = await status();
  expect(approved).toMatchObject({ status: "approved", args_edited: true, tool_args: { ...ASKED, amount: 120 } });
  expect(decodeJwt(approved.token).tool_args_hash).toBe(toolArgsHash({ ...ASKED, amount: 120 }));

  // The timeline shows who edited what.
  await page.goto(`/requests/${id}`);
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("Edited and approved");
  await expect(timeline.getByTestId("args-diff").locator("ins")).toHaveText("120");
  await expect(timeline).toContainText("bound to the edited arguments");
  await screenshotsAtBothWidths(page, "review-edit-timeline");
});

test("on the email page: the editor is there when wanted, and the approval covers the edited call", async ({ page, request }) => {
  const asked = { ...ASKED, charge_id: "ch_88" };
  const { status } = await ask(request, asked);
  const email = await awaitEmail("rita@edits.test", "Review needed: stripe_refund", "ch_88");
  await page.goto(new URL(/https?:\/\/\S+\/review\/[\w-]+/.exec(email.text)![0]).pathname);
  await page.getByText("Edit the arguments before approving").click();
  const editor = page.getByLabel("Arguments to approve (JSON)");
  await expect(editor).toHaveValue(JSON.stringify(asked, null, 2));
  await editor.fill(JSON.stringify({ ...asked, amount: 75 }));
  await screenshotsAtBothWidths(page, "review-edit-email");
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("review-notice").getByRole("heading")).toHaveText("You approved this request");
  expect(await status()).toMatchObject({ status: "approved", args_edited: true, tool_args: { ...asked, amount: 75 } });
});
