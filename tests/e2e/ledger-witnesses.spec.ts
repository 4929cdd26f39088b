import { createHash, generateKeyPairSync } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures";
import { ALLOW_EVERY_REFUND, ledgix, nav, screenshots, setUpTenant, signIn } from "./helpers";

// The Ledger screen's Witnesses card: a witness that refuses the log's checkpoint (as one
// does a rewritten history) shows as failing, with the witness's own words.

/** A C2SP cosignature verifier key for `name` (a key this fake witness never uses: it only refuses). */
function witnessKey(name: string): string {
  const typed = Buffer.concat([Buffer.from([0x04]), Buffer.from(generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x!, "base64url")]);
  const id = createHash("sha256").update(`${name}\n`).update(typed).digest().subarray(0, 4).toString("hex");
  return `${name}+${id}+${typed.toString("base64")}`;
}

test("owner: the Ledger screen shows a witness refusing the log, and why", async ({ page, request }) => {
  const received: string[] = [];
  const witness = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk)).on("end", () => {
      received.push(`${req.method} ${req.url}\n${body}`);
      res.writeHead(422, { "Content-Type": "text/plain; charset=utf-8" }).end("bad consistency proof\n");
    });
  });
  await new Promise<void>((resolve) => witness.listen(0, "127.0.0.1", resolve));
  try {
    const key = await setUpTenant("skynet", { members: [["owner@skynet.test", "owner"]], key: "e2e", policies: [ALLOW_EVERY_REFUND] });
    ledgix(["witness", "add", "--tenant", "skynet", "--url", `http://127.0.0.1:${(witness.address() as AddressInfo).port}`, "--vkey", witnessKey("witness.skynet.test/w1")]);
    const decided = await (await request.post("/api/clearance", {
      headers: { "X-Vault-API-Key": key },
      data: { tool_name: "stripe_refund", tool_args: { amount: 20, currency: "USD" }, context: { policy_id: "refunds" } },
    })).json();
    expect(decided.status).toBe("approved");

    await signIn(page, "owner@skynet.test");
    await nav(page, "Ledger");
    await expect(page).toHaveURL(/\/ledger$/);
    const card = page.getByTestId("witness");
    await expect(async () => {
      await page.reload();
      await expect(card).toContainText("failing");
    }).toPass({ timeout: 60_000 });
    await expect(card).toContainText("witness.skynet.test/w1");
    await expect(card).toContainText("HTTP 422: bad consistency proof");
    await expect(card).toContainText("Has not cosigned yet");
    // What the witness was sent: C2SP tlog-witness add-checkpoint, from the empty tree.
    expect(received[0]).toMatch(/^POST \/add-checkpoint\nold 0\n\nledgix\.local\/ten_\w+\n1\n/);
    await screenshots(page, "ledger-witnesses");
  } finally {
    witness.close();
  }
});
