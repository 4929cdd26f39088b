import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures";
import { nav, screenshots, screenshotsAtBothWidths, setUpTenant, signIn } from "./helpers";

// A stand-in for Slack's incoming webhook that records what it receives.
function fakeSlack(status: number) {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => { received.push(body); res.writeHead(status).end(status === 200 ? "ok" : "invalid_token"); });
  });
  return new Promise<{ url: string; received: string[]; close: () => void }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/x`, received, close: () => server.close() })));
}

test("notifications: save a Slack webhook and recipients, send a test, see Slack's exact error", async ({ page }) => {
  await setUpTenant("initech", { members: [["admin@initech.test", "admin"]] });
  const good = await fakeSlack(200);
  const bad = await fakeSlack(403);
  try {
    await signIn(page, "admin@initech.test");
    await nav(page, "Notifications");
    const card = page.getByTestId("notification-review_requested");
    await card.getByLabel("Slack incoming webhook").fill(good.url);
    await card.getByLabel("Email recipients").fill("ops@initech.test, oncall@initech.test");
    await card.getByRole("button", { name: "Save and send test" }).click();
    await expect(card.getByTestId("test-results")).toContainText("Slack: Slack accepted the message.");
    await expect(card.getByTestId("test-results")).toContainText("Email ops@initech.test: Written to the development outbox");
    expect(JSON.parse(good.received[0]!).text).toContain("A request waits for a person");
    await screenshots(page, "notifications");

    await card.getByLabel("Slack incoming webhook").fill(bad.url);
    await card.getByRole("button", { name: "Save and send test" }).click();
    await expect(card.getByTestId("test-results")).toContainText('Slack answered HTTP 403 ("invalid_token"). The URL\'s credentials were refused');

    // Nothing listens on a closed server's port: a sentence that says so, not "connect ECONNREFUSED …".
    const closedPort = new URL(bad.url).port;
    bad.close();
    await card.getByLabel("Slack incoming webhook").fill(bad.url);
    await card.getByRole("button", { name: "Save and send test" }).click();
    await expect(card.getByTestId("test-results")).toContainText(`Nothing at 127.0.0.1:${closedPort} accepted the connection, so Slack got nothing. Check the URL`);
    await expect(card.getByTestId("test-results")).not.toContainText("ECONNREFUSED");
    await screenshotsAtBothWidths(page, "notifications-delivery-error");
  } finally {
    good.close();
    bad.close();
  }
});
