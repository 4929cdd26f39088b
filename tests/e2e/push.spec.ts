// Issue 21, "Review from a phone": the dashboard as an installable app, and a reviewer turning
// on push notifications for their own device on the Profile page.
import { createECDH, randomBytes } from "node:crypto";
import { expect, test } from "./fixtures";
import { screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

test("the manifest, its icons and the service worker are served, and the manifest is a valid installable one", async ({ request }) => {
  const res = await request.get("/manifest.webmanifest");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/manifest\+json/);
  const manifest = (await res.json()) as { name: string; start_url: string; display: string; scope: string; icons: { src: string; sizes: string; type: string }[] };
  expect(manifest).toMatchObject({ name: "Ledgix", short_name: "Ledgix", start_url: "/reviews", scope: "/", display: "standalone", theme_color: expect.stringMatching(/^#/) });
  // Installable in Chromium: a 192 px and a 512 px icon, each served as what it claims to be.
  expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const icon of manifest.icons) {
    const served = await request.get(icon.src);
    expect(served.status(), icon.src).toBe(200);
    expect(served.headers()["content-type"], icon.src).toMatch(new RegExp(`^${icon.type.replace("+", "\\+")}`));
  }
  const worker = await request.get("/sw.js");
  expect(worker.status()).toBe(200);
  expect(worker.headers()["content-type"]).toMatch(/javascript/);
  expect(await worker.text()).toContain('addEventListener("push"');
});

test("a reviewer turns on notifications for this device on Profile, sees it listed as theirs, and removes it", async ({ page, context }) => {
  await setUpTenant("push-e2e", { members: [["rev@push.test", "reviewer"]] });
  await context.grantPermissions(["notifications"]);
  // Headless Chromium cannot reach a real push service (there is no FCM here), so its subscribe()
  // fails. It is replaced by one that answers a subscription with keys this test made, as a
  // browser's would look; the page, the server action and the device list after it are real.
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const fake = { endpoint: `https://fcm.googleapis.com/fcm/send/e2e-${randomBytes(8).toString("hex")}`, p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") };
  await page.addInitScript(({ endpoint, p256dh, auth }) => {
    const subscribed = "e2e-fake-push-subscription";
    const subscription = {
      endpoint,
      toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
      unsubscribe: async () => (sessionStorage.removeItem(subscribed), true),
    } as unknown as PushSubscription;
    PushManager.prototype.subscribe = async () => (sessionStorage.setItem(subscribed, "1"), subscription);
    PushManager.prototype.getSubscription = async () => (sessionStorage.getItem(subscribed) ? subscription : null);
  }, fake);

  await signIn(page, "rev@push.test");
  // Every dashboard page registers the service worker (same origin, allowed by the CSP's worker-src).
  const worker = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
  expect(worker).toMatch(/\/sw\.js$/);

  // From the signed-in person at the foot of the sidebar.
  await page.getByRole("link", { name: /rev@push\.test/ }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: "Profile" })).toBeVisible();
  const card = page.getByTestId("device-notifications");
  const enable = card.getByRole("button", { name: "Turn on notifications" });
  await expect(enable).toBeVisible();
  await expect(page.getByTestId("device-list")).toContainText("No device gets review notifications yet");
  await screenshotsAtBothWidths(page, "profile-push-off");

  await enable.click();
  await expect(card).toContainText("This device gets a notification when a request waits for your review.");
  const list = page.getByTestId("device-list");
  await expect(list).toContainText("Chrome on Linux");
  await expect(list).toContainText("This device");
  await expect(list).toContainText("via fcm.googleapis.com");
  await expect(card.getByRole("button", { name: "Turn off on this device" })).toBeEnabled();
  await expect(list.getByRole("button", { name: "Remove Chrome on Linux" })).toBeEnabled();
  await screenshotsAtBothWidths(page, "profile-push-on");

  page.once("dialog", (dialog) => void dialog.accept());
  await list.getByRole("button", { name: "Remove Chrome on Linux" }).click();
  await expect(list).toContainText("No device gets review notifications yet");
  await expect(card.getByRole("button", { name: "Turn on notifications" })).toBeVisible();
});
