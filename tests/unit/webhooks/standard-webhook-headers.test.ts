import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { standardWebhookHeaders } from "@/lib/webhooks/sign";

describe("standardWebhookHeaders", () => {
  it("signs the Standard Webhooks reference libraries' test vector as they do", () => {
    const sent = standardWebhookHeaders("msg_p5jXN8AQM9LWM0D4loKWxJek", new Date(1614265330_400), '{"test": 2432232314}', "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(sent).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("signs under a secret issued in the URL-safe alphabet with the key the docs' conversion gives", () => {
    const issued = `whsec_${randomBytes(32).toString("base64url")}`;
    const sent = standardWebhookHeaders("evt_1", new Date(), '{"id":"evt_1"}', issued);
    const converted = `whsec_${Buffer.from(issued.slice("whsec_".length), "base64url").toString("base64")}`;
    expect(new Webhook(converted).verify('{"id":"evt_1"}', sent)).toEqual({ id: "evt_1" });
  });
});
