import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";
import { applyPolicy, ledgix, nav, screenshots, screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

function outboxEmailTo(address: string) {
  const outbox = path.join(process.env.LEDGIX_E2E_DATA_DIR!, "outbox");
  const file = fs.readdirSync(outbox).find((f) => f.includes(address) && f.endsWith(".json"))!;
  return JSON.parse(fs.readFileSync(path.join(outbox, file), "utf8")) as { to: string; subject: string; text: string };
}

test("members: an admin invites by email, the invitee signs in from the link; owners stay the owners' business", async ({ page, browser }) => {
  await setUpTenant("hooli", { members: [["owner@hooli.test", "owner"], ["admin@hooli.test", "admin"]] });

  await signIn(page, "admin@hooli.test");
  await nav(page, "Members");
  await page.getByLabel("Email").fill("gavin@hooli.test");
  await page.getByLabel("Role", { exact: true }).selectOption("owner");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByText("Only an owner can add an owner.")).toBeVisible();
  await page.getByLabel("Role", { exact: true }).selectOption("reviewer");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByText("Invited gavin@hooli.test as reviewer")).toBeVisible();
  await expect(page.getByRole("row", { name: /gavin@hooli\.test/ })).toBeVisible();
  // The e2e server runs without RESEND_API_KEY, as a first install does: the screen says where the invite went.
  await expect(page.getByTestId("outbox-notice")).toContainText(`Email is not configured: messages go to ${process.env.LEDGIX_E2E_DATA_DIR}/outbox`);
  await expect(page.getByText("so the sign-in link was written to the development outbox")).toBeVisible();
  await screenshots(page, "members-invite");
  await screenshotsAtBothWidths(page, "members-invite-outbox");
  // …and the tenant's outbox lists it (invites were written without their tenant, so no screen showed them).
  await nav(page, "Notifications");
  await expect(page.getByTestId("outbox")).toContainText("You're invited to hooli on Ledgix");
  await expect(page.getByTestId("outbox-notice")).toBeVisible();
  await nav(page, "Members");

  // An admin may not demote or remove an owner; the owner's row says so when tried.
  await page.getByRole("combobox", { name: "Role of owner@hooli.test" }).selectOption("viewer");
  await expect(page.getByRole("row", { name: /owner@hooli\.test/ }).getByRole("alert")).toHaveText("Only an owner can make or unmake an owner.");
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Role of owner@hooli.test" })).toHaveValue("owner");

  const email = outboxEmailTo("gavin@hooli.test");
  expect(email.subject).toBe("You're invited to hooli on Ledgix");
  const invitee = await browser.newPage();
  await invitee.goto(/(http\S+callback\/email\S+)/.exec(email.text)![1]!);
  await expect(invitee).toHaveURL(/\/overview/);
  await expect(invitee.getByText("gavin@hooli.test")).toBeVisible();
  await expect(invitee.getByText("reviewer", { exact: true })).toBeVisible();

  // The admin makes the invitee a viewer, then removes them: their session ends with it.
  await page.getByRole("combobox", { name: "Role of gavin@hooli.test" }).selectOption("viewer");
  await expect(async () => { await page.reload(); await expect(page.getByRole("combobox", { name: "Role of gavin@hooli.test" })).toHaveValue("viewer"); }).toPass();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Remove gavin@hooli.test" }).click();
  await expect(page.getByRole("row", { name: /gavin@hooli\.test/ })).toHaveCount(0);
  await invitee.reload();
  await expect(invitee).toHaveURL(/\/sign-in/);
});

test("reviewer groups: an admin creates and deletes groups and changes their members on the Members page; a reviewer only reads them", async ({ page }) => {
  await setUpTenant("globodyne", { members: [["admin@globodyne.test", "admin"], ["milton@globodyne.test", "reviewer"]] });
  await applyPolicy("globodyne", `policy_id: refunds
rules:
  - id: refund-big
    tool: stripe_refund
    when: args.amount > 1000
    effect: review
    reviewers: [finance]
`);

  await signIn(page, "admin@globodyne.test");
  await nav(page, "Members");
  const groups = page.getByTestId("reviewer-groups");
  const create = async (name: string) => {
    await groups.getByLabel("New group").fill(name);
    await groups.getByRole("button", { name: "Create group" }).click();
  };
  await create("Finance Team");
  await expect(groups.getByRole("alert")).toContainText("A group's name is lowercase letters, digits");
  await create("finance");
  await expect(groups.getByRole("status")).toHaveText("Created reviewer group finance.");
  const finance = page.getByRole("group", { name: "Reviewer group finance" });
  await expect(finance.getByTestId("group-rules")).toHaveText("Reviewers of refunds/refund-big");
  await create("finance");
  await expect(groups.getByRole("alert")).toHaveText("Reviewer group finance already exists.");
  await create("temp");
  const temp = page.getByRole("group", { name: "Reviewer group temp" });
  await expect(temp.getByTestId("group-rules")).toHaveText("No active rule names it");

  // Members are added by email (the field suggests the tenant's members); an address that is not one is refused there.
  const add = async (email: string) => {
    await finance.getByLabel("Add a member to finance").fill(email);
    await finance.getByRole("button", { name: "Add", exact: true }).click();
  };
  await add("bob@globodyne.test");
  await expect(finance.getByRole("alert")).toHaveText("bob@globodyne.test is not a member of this tenant.");
  await add("milton@globodyne.test");
  await expect(finance.getByRole("list", { name: "Members of finance" })).toHaveText("milton@globodyne.test");
  await add("admin@globodyne.test");
  await finance.getByRole("button", { name: "Remove admin@globodyne.test from finance" }).click();
  await expect(finance.getByRole("list", { name: "Members of finance" })).toHaveText("milton@globodyne.test");
  expect(ledgix(["member", "group", "list", "--tenant", "globodyne"])).toMatch(/finance\s+milton@globodyne\.test/);

  // A group an active rule names stays; another goes, once its name is confirmed.
  page.once("dialog", (dialog) => { expect(dialog.message()).toBe("Delete reviewer group finance?"); void dialog.accept(); });
  await finance.getByRole("button", { name: "Delete group" }).click();
  await expect(finance.getByRole("alert")).toHaveText("Active rules name finance as their reviewers (refunds/refund-big); change those rules first.");
  page.once("dialog", (dialog) => void dialog.accept());
  await temp.getByRole("button", { name: "Delete group" }).click();
  await expect(temp).toHaveCount(0);
  await screenshotsAtBothWidths(page, "members-reviewer-groups");

  // A reviewer sees the groups and who is in them, and no control to change them.
  await page.context().clearCookies();
  await signIn(page, "milton@globodyne.test");
  await nav(page, "Members");
  await expect(finance).toContainText("milton@globodyne.test");
  await expect(groups.getByRole("button")).toHaveCount(0);
  await expect(groups.getByLabel("New group")).toHaveCount(0);
  await screenshotsAtBothWidths(page, "members-reviewer-groups-read-only");
});
