import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { asOperator, type RunCommand } from "../fixtures/admin";

const root = path.resolve(import.meta.dirname, "../..");
// What an operator sets for the CLI and the server alike: the data dir holds the embedded database
// and the master key, and sign-in links are built on the server's URL. The CLI gets this
// environment, and `operate` runs the CLI's commands in this process.
process.env.LEDGIX_DATA_DIR = process.env.LEDGIX_E2E_DATA_DIR;
process.env.NEXTAUTH_URL = `http://127.0.0.1:${process.env.LEDGIX_E2E_PORT}`;

/**
 * Runs the real CLI against the e2e server's database (it connects to the embedded PostgreSQL the
 * server started), for what a test reads from the CLI itself. Setup goes through `setUpTenant`.
 */
export function ledgix(args: string[], input?: string): string {
  return execFileSync(process.execPath, [path.join(root, "bin/ledgix.mjs"), ...args], { cwd: root, input, encoding: "utf8" }).trim();
}

/**
 * Operator commands (the CLI's own, lib/admin/commands.ts) in this process, on the e2e server's
 * embedded database: setup without a CLI start, a second of CPU, per step (issue 18).
 */
export function operate<T>(steps: (run: RunCommand) => Promise<T>): Promise<T> {
  const server = { kind: "embedded" as const, url: process.env.NEXTAUTH_URL!, env: { LEDGIX_DATA_DIR: process.env.LEDGIX_DATA_DIR! } };
  return asOperator(server, steps);
}

export interface TenantSetup {
  /** Members who sign in with PASSWORD, by email and role. */
  members?: [email: string, role: "owner" | "admin" | "reviewer" | "viewer"][];
  /** An API key's label: the key is created and returned. */
  key?: string;
  /** Policies applied in order (the last one applied is active). */
  policies?: string[];
}

/** Creates a tenant as an operator would with the CLI; returns its API key, if one was asked for. */
export function setUpTenant(name: string, { members = [], key, policies = [] }: TenantSetup = {}): Promise<string> {
  return operate(async (run) => {
    await run("tenant.create", { name });
    for (const [email, role] of members) await run("member.add", { tenant: name, email, role, password: PASSWORD });
    for (const source of policies) await run("policy.apply", { tenant: name, source });
    return key === undefined ? "" : keyOf(await run("key.create", { tenant: name, name: key }));
  });
}

const keyOf = (created: unknown) => (created as { key: string }).key;

/** A new API key of the tenant, as `ledgix key create` prints it. */
export const createKey = async (tenant: string, name = "default") => keyOf(await operate((run) => run("key.create", { tenant, name })));

/** Applies a policy to a tenant, as `ledgix policy apply` does. */
export const applyPolicy = (tenant: string, source: string) => operate((run) => run("policy.apply", { tenant, source }));

/** An operator's break-glass decision, as `ledgix review decide --operator` makes it. */
export const decideAsOperator = (requestId: string, operator: string) => operate((run) => run("review.decide", { requestId, approve: true, operator }));

export const PASSWORD = "correct horse battery staple";

export async function signIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/overview/);
}

/**
 * Screenshots of the current screen in light and dark, for a person to look at: taken when
 * LEDGIX_E2E_SCREENSHOTS is set (`LEDGIX_E2E_SCREENSHOTS=1 npx playwright test`), into
 * test-results/screens/. CI has nobody to look at them.
 */
export async function screenshots(page: Page, name: string) {
  if (!process.env.LEDGIX_E2E_SCREENSHOTS) return;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate((dark) => document.documentElement.classList.toggle("dark", dark), scheme === "dark");
    await page.screenshot({ path: `test-results/screens/${name}-${scheme}.png`, fullPage: true });
  }
  await page.evaluate(() => document.documentElement.classList.remove("dark"));
}

/**
 * `screenshots` at 1280 px and at a 390 px phone's width (`<name>-desktop-*`, `<name>-phone-*`),
 * then back to the size the test had. Not reloaded, so what the test did on the page stays shown.
 */
export async function screenshotsAtBothWidths(page: Page, name: string) {
  if (!process.env.LEDGIX_E2E_SCREENSHOTS) return;
  const size = page.viewportSize();
  for (const [width, height, label] of [[1280, 800, "desktop"], [390, 844, "phone"]] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300); // charts redraw for the new width on a resize observer
    await screenshots(page, `${name}-${label}`);
  }
  if (size) await page.setViewportSize(size);
}

/** Opens a screen from the sidebar. */
export const nav = (page: Page, label: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: new RegExp(`^${label}`) }).click();

/** A policy that sends every refund to a person. */
/** Every refund approved by the policy: a ledger entry per request, with no review in between. */
export const ALLOW_EVERY_REFUND = `policy_id: refunds
rules:
  - id: refund-small
    tool: stripe_refund
    effect: allow
    reason: Small refunds are pre-approved
`;

export const REVIEW_EVERY_REFUND = `policy_id: refunds
rules:
  - id: refund-any
    tool: stripe_refund
    effect: review
    reason: Every refund needs a person
`;

/** An outbox email to `address` whose subject starts with `subject` (and whose text has `containing`), once the job has sent it. */
export async function awaitEmail(address: string, subject: string, containing = "") {
  const outbox = path.join(process.env.LEDGIX_E2E_DATA_DIR!, "outbox");
  const find = () => (fs.existsSync(outbox) ? fs.readdirSync(outbox) : [])
    .filter((f) => f.includes(address) && f.endsWith(".json")).map((f) => JSON.parse(fs.readFileSync(path.join(outbox, f), "utf8")) as { subject: string; text: string })
    .find((e) => e.subject.startsWith(subject) && e.text.includes(containing));
  await expect.poll(find, { timeout: 30_000 }).toBeTruthy();
  return find()!;
}
