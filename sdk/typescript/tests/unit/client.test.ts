import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgixClient } from "../../src/client";
import {
  ClearanceDeniedError,
  ManualReviewTimeoutError,
  PolicyRegistrationError,
  QueueSaturatedError,
  ReplayDetectedError,
  ReviewPendingError,
  TokenVerificationError,
  VaultConnectionError,
} from "../../src/errors";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";
import { loadVectors } from "../helpers/vectors";

let vault: FakeVault;
beforeEach(async () => (vault = await startFakeVault()));
afterEach(() => vault.close());

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const fast = () => new LedgixClient({ vaultUrl: vault.url, vaultApiKey: "lgx_test", retryBaseDelay: 1, reviewPollInterval: 5, reviewTimeout: 2_000 });
const pending = (id: string) => ({ status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: id } });

describe("requestClearance", () => {
  it("sends the protocol's body and headers and verifies the approval's token", async () => {
    const response = await fast().requestClearance({ toolName: "stripe_refund", toolArgs: { amount: 45 }, context: { policy_id: "refunds" } });
    expect(response).toMatchObject({ status: "approved", decisionStatus: "approved", reason: "ok" });
    const [sent] = vault.requests.filter((r) => r.path.endsWith("/request-clearance"));
    expect(sent!.headers["x-vault-api-key"]).toBe("lgx_test");
    expect(sent!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent!.body).toEqual({
      tool_name: "stripe_refund",
      tool_args: { amount: 45 },
      agent_id: "default-agent",
      session_id: "",
      context: { policy_id: "refunds" },
      destination_uri: "https://api.stripe.com",
      destination_provider: "stripe",
    });
  });

  it("throws ClearanceDeniedError with the reason and request id", async () => {
    vault.on("/request-clearance", () => ({ status: 200, body: { status: "denied", decision_status: "denied", reason: "too large", reason_code: "refund_too_large", request_id: "req_d" } }));
    const error = await fast().requestClearance({ toolName: "t" }).catch((e) => e);
    expect(error).toBeInstanceOf(ClearanceDeniedError);
    expect(error).toMatchObject({ requestId: "req_d", reason: "too large", reasonCode: "refund_too_large" });
  });

  it("polls processing then pending_review until the final answer", async () => {
    const token = await vault.sign({ request_id: "req_p", tool: "t", tool_args_hash: "x" });
    let polls = 0;
    vault.on("/request-clearance", () => ({ status: 202, body: { status: "processing", decision_status: "denied", request_id: "req_p" } }));
    vault.on("/clearance-status/*", () => (++polls < 3 ? pending("req_p") : { status: 200, body: { status: "approved", decision_status: "approved", request_id: "req_p", token } }));
    expect(await fast().requestClearance({ toolName: "t" })).toMatchObject({ status: "approved", token });
    expect(polls).toBe(3);
  });

  it("raises ManualReviewTimeoutError when the review outlasts the timeout", async () => {
    vault.on("/request-clearance", () => pending("req_t"));
    vault.on("/clearance-status/*", () => pending("req_t"));
    const client = new LedgixClient({ vaultUrl: vault.url, reviewPollInterval: 10, reviewTimeout: 60 });
    await expect(client.requestClearance({ toolName: "t" })).rejects.toMatchObject({ name: "ManualReviewTimeoutError", requestId: "req_t" });
    await expect(client.requestClearance({ toolName: "t" })).rejects.toBeInstanceOf(ManualReviewTimeoutError);
  });

  it("in detach mode throws ReviewPendingError whose handle waits and cancels", async () => {
    vault.on("/request-clearance", () => pending("req_x"));
    vault.on("/clearance-status/*", () => ({ status: 200, body: { status: "denied", decision_status: "denied", request_id: "req_x", reason: "review_cancelled_by_agent" } }));
    const client = new LedgixClient({ vaultUrl: vault.url, reviewMode: "detach", reviewPollInterval: 5 });
    const error = await client.requestClearance({ toolName: "t" }).catch((e) => e);
    expect(error).toBeInstanceOf(ReviewPendingError);
    await error.pending.cancel();
    expect(vault.requests.at(-1)).toMatchObject({ method: "POST", path: "/api/reviews/req_x/decision", body: { approved: false, review_reason: "cancelled by agent" } });
    await expect(error.pending.wait()).rejects.toBeInstanceOf(ClearanceDeniedError);
  });
});

describe("the approval cache", () => {
  it("re-uses a cached approval through /mint-token, verifying the fresh token", async () => {
    vault.on("/mint-token", async () => ({
      status: 200,
      body: { token: await vault.sign({ request_id: "req_minted", tool: "stripe_refund" }), request_id: "req_minted" },
    }));
    const client = new LedgixClient({ vaultUrl: vault.url, decisionCacheEnabled: true });
    const call = { toolName: "stripe_refund", toolArgs: { amount: 45 }, context: { policy_id: "refunds" } };
    const first = await client.requestClearance(call);
    const second = await client.requestClearance(call);
    expect(second).toMatchObject({ status: "approved", requestId: "req_minted" });
    expect(second.token).not.toBe(first.token);
    const paths = vault.requests.map((r) => r.path).filter((p) => !p.endsWith("jwks.json"));
    expect(paths).toEqual(["/api/request-clearance", "/api/mint-token"]);
    expect(vault.requests.find((r) => r.path === "/api/mint-token")!.body).toMatchObject({
      original_request_id: first.requestId,
      policy_version_id: "pv_1",
      tool_name: "stripe_refund",
      tool_args: { amount: 45 },
      policy_id: "refunds",
    });
    await client.requestClearance({ ...call, toolArgs: { amount: 46 } });
    expect(vault.requests.filter((r) => r.path === "/api/request-clearance")).toHaveLength(2);
  });
});

describe("transport", () => {
  it("retries 503 with one idempotency key, then succeeds", async () => {
    let calls = 0;
    vault.on("/register-policy", () => (++calls < 3 ? { status: 503, body: {} } : { status: 200, body: { policy_id: "p1" } }));
    expect(await fast().registerPolicy({ policyId: "p1", rules: ["no refunds over 100"] })).toEqual({ policyId: "p1", status: "registered", message: "" });
    const keys = new Set(vault.requests.map((r) => r.headers["idempotency-key"]));
    expect(calls).toBe(3);
    expect(keys.size).toBe(1);
  });

  it("waits Retry-After on 429 without spending the retry budget", async () => {
    let calls = 0;
    vault.on("/register-policy", () => (++calls <= 5 ? { status: 429, headers: { "retry-after": "0.01" } } : { status: 200, body: { policy_id: "p" } }));
    const client = new LedgixClient({ vaultUrl: vault.url, maxRetries: 0 });
    expect((await client.registerPolicy({ policyId: "p" })).policyId).toBe("p");
    expect(calls).toBe(6);
  });

  it("fails with QueueSaturatedError on the 11th consecutive 429", async () => {
    vault.on("/request-clearance", () => ({ status: 429, headers: { "retry-after": "0" } }));
    const error = await fast().requestClearance({ toolName: "t" }).catch((e) => e);
    expect(error).toBeInstanceOf(QueueSaturatedError);
    expect(error).toMatchObject({ attempts: 10, lastRetryAfter: 0 });
    expect(vault.requests.length).toBe(11);
  });

  it("turns a 4xx into VaultConnectionError with the vault's code, and a register failure into PolicyRegistrationError", async () => {
    vault.on("/request-clearance", () => ({ status: 401, body: { error: { code: "invalid_api_key", message: "bad key" } } }));
    vault.on("/register-policy", () => ({ status: 422, body: { error: { code: "invalid_policy", message: "no" } } }));
    await expect(fast().requestClearance({ toolName: "t" })).rejects.toMatchObject({ name: "VaultConnectionError", status: 401, code: "invalid_api_key" });
    await expect(fast().registerPolicy({ policyId: "p" })).rejects.toBeInstanceOf(PolicyRegistrationError);
  });

  it("gives up on an unreachable vault after the retries, naming the URL it tried", async () => {
    const port = await closedPort();
    const client = new LedgixClient({ vaultUrl: `http://127.0.0.1:${port}/api`, maxRetries: 2, retryBaseDelay: 1 });
    const error = await client.requestClearance({ toolName: "t" }).catch((e) => e);
    expect(error).toBeInstanceOf(VaultConnectionError);
    expect(error.message).toBe(`could not reach the Ledgix vault at http://127.0.0.1:${port}/api/request-clearance (connection refused); set LEDGIX_VAULT_URL`);
  });

  it.each([
    { name: "a base URL without /api gets a hint", base: "", path: "/request-clearance", hint: true },
    { name: "a base URL with a path but no /api gets a hint", base: "/ledgix", path: "/ledgix/request-clearance", hint: true },
    { name: "a base URL ending in /api gets none", base: "/api", path: "/api/request-clearance", hint: false },
  ])("a 404 that is not the vault's names the URL: $name", async ({ base, path, hint }) => {
    const server = http.createServer((_req, res) => res.writeHead(404, { "Content-Type": "text/html" }).end("<h1>404: This page could not be found.</h1>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await new LedgixClient({ vaultUrl: `${origin}${base}/`, maxRetries: 0 }).requestClearance({ toolName: "t" }).catch((e) => e);
      expect(error).toMatchObject({ name: "VaultConnectionError", status: 404 });
      const tried = `${origin}${path}`;
      expect(error.message).toBe(
        `Clearance request failed at ${tried}${hint ? ` (did you mean LEDGIX_VAULT_URL=${origin}${base}/api?)` : ""}: HTTP 404: <h1>404: This page could not be found.</h1>`,
      );
    } finally {
      server.close();
    }
  });
});

describe("verifyToken", () => {
  it("accepts the protocol's §12.7 token once, then detects the replay", async () => {
    const client = fast();
    const { token } = loadVectors().jwt;
    expect(await client.verifyToken(token)).toMatchObject({ jti: "req_vec_0001", tool: "stripe_refund" });
    await expect(client.verifyToken(token)).rejects.toBeInstanceOf(ReplayDetectedError);
  });

  it.each([
    { name: "a tampered payload", make: async (v: FakeVault) => tamper(await v.sign({ tool: "a" })), reason: /signature/ },
    { name: "an expired token", make: (v: FakeVault) => v.sign({ exp: Math.floor(Date.now() / 1000) - 5 }), reason: /exp/ },
    { name: "another audience", make: (v: FakeVault) => v.sign({ aud: "someone-else" }), reason: /aud/ },
    { name: "an unknown kid", make: (v: FakeVault) => v.sign({}, { kid: "nobody", key: v.rotate("temp") }), reason: /no applicable key|kid/i },
  ])("refuses $name", async ({ make, reason }) => {
    const error = await fast().verifyToken(await make(vault)).catch((e) => e);
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect(error.message).toMatch(reason);
  });

  it("refetches the JWKS when a rotated key signs", async () => {
    const client = fast();
    await client.verifyToken(await vault.sign({}));
    const key = vault.rotate("rotated-1");
    await client.verifyToken(await vault.sign({}, { kid: "rotated-1", key }));
    expect(vault.requests.filter((r) => r.path.endsWith("jwks.json"))).toHaveLength(2);
  });

  it("checks the tool and the argument hash when asked", async () => {
    const token = await vault.sign({ tool: "stripe_refund", tool_args_hash: "6d2b8cbd1b4b59d3a36b0ee96bd4e2fbd5d7e8c4c1e2b7e8b7cb2d14b1f7b5a0" });
    await expect(fast().verifyToken(token, { tool: "wire_transfer" })).rejects.toMatchObject({ reason: "tool_mismatch" });
    await expect(fast().verifyToken(token, { toolArgs: { amount: 1 } })).rejects.toMatchObject({ reason: "tool_args_mismatch" });
  });
});

function tamper(token: string): string {
  const [h, p, s] = token.split(".");
  const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
  return `${h}.${Buffer.from(JSON.stringify({ ...claims, tool: "b" })).toString("base64url")}.${s}`;
}
