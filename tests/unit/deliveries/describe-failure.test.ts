import { describe, expect, it } from "vitest";
import { describeEmailFailure, describeRefusedAnswer, describeUnreachable } from "@/lib/deliveries/describe-failure";
import { REFUSED_ADDRESS } from "@/lib/security/outbound-url";

const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });
const SLACK_URL = "https://hooks.slack.com/services/T0/B0/secret-part";

// Issue 21: the delivery log and a channel test showed Node's text ("connect ECONNREFUSED 127.0.0.1:9").
describe("delivery failures read as sentences", () => {
  it.each([
    { name: "a refused connection", error: nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"), url: "http://127.0.0.1:9/hook", want: "Nothing at 127.0.0.1:9 accepted the connection" },
    { name: "an unknown host", error: nodeError("ENOTFOUND", "getaddrinfo ENOTFOUND hooks.slak.com"), url: "https://hooks.slak.com/x", want: "The host name hooks.slak.com was not found" },
    { name: "a reset", error: nodeError("ECONNRESET", "socket hang up"), url: SLACK_URL, want: "Slack closed the connection before answering" },
    { name: "no answer in time", error: new Error("no answer within 10 s"), url: SLACK_URL, want: "Slack did not answer within 10 s. It is tried again." },
    { name: "a private address", error: nodeError(REFUSED_ADDRESS, "Refused: 10.0.0.5 is a private address"), url: "http://10.0.0.5/x", want: "Ledgix did not connect to 10.0.0.5: 10.0.0.5 is a private address. An operator may allow" },
    { name: "a bad certificate", error: nodeError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), url: SLACK_URL, want: "The TLS certificate of hooks.slack.com was not accepted" },
    { name: "anything else", error: new Error("boom"), url: SLACK_URL, want: "Could not reach Slack at hooks.slack.com: boom." },
  ])("$name", ({ error, url, want }) => {
    const text = describeUnreachable("Slack", error, url);
    expect(text).toContain(want);
    expect(text).toMatch(/^[A-Z].*\.$/s);
    expect(text).not.toMatch(/\bE[A-Z]{4,}\b|secret-part/); // no error codes, no secret part of the URL
  });

  it.each([
    { status: 403, body: "invalid_token", want: 'Slack answered HTTP 403 ("invalid_token"). The URL\'s credentials were refused' },
    { status: 404, body: "no_service", want: "The URL is gone" },
    { status: 500, body: "", want: "Slack answered HTTP 500. The service failed on its side; it is tried again." },
  ])("an answer of HTTP $status", ({ status, body, want }) => {
    expect(describeRefusedAnswer("Slack", status, body)).toContain(want);
  });

  it("an email Resend refused, or that failed otherwise, ends as a sentence", () => {
    expect(describeEmailFailure(new Error("Resend refused the email: The from address is not verified"))).toBe("Resend refused the email: The from address is not verified.");
    expect(describeEmailFailure(new Error("fetch failed"))).toBe("The email could not be sent: fetch failed.");
  });
});
