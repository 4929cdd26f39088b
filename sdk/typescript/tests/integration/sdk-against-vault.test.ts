import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { asOperator } from "../../../../tests/fixtures/admin";
import { cliOk } from "../../../../tests/fixtures/cli";
import { createTenant, type TestTenant } from "../../../../tests/fixtures/tenant";
import {
  ClearanceDeniedError,
  currentClearance,
  currentToken,
  LedgixClient,
  ManualReviewTimeoutError,
  ReplayDetectedError,
  ReviewPendingError,
  TokenVerificationError,
  tool,
  toolArgsHash,
  verifyLedgerProof,
  type LedgixConfig,
} from "../../src/index";

const vault = inject("vault");
const clientFor = (tenant: TestTenant, server = vault, extra: Partial<LedgixConfig> = {}) =>
  new LedgixClient({ vaultUrl: `${server.url}/api`, vaultApiKey: tenant.key, reviewPollInterval: 100, retryBaseDelay: 10, ...extra });
const refund = (amount: number) => ({ toolName: "stripe_refund", toolArgs: { amount, currency: "USD" }, context: { policy_id: "refunds" } });

describe("the SDK against the real vault", () => {
  // Tests use their own requests; one tenant per server keeps the slow CLI setup to two runs.
  let tenant: TestTenant;
  let asyncTenant: TestTenant;
  beforeAll(async () => {
    [tenant, asyncTenant] = await Promise.all([createTenant(vault), createTenant(inject("asyncVault"))]);
  });

  it("approved: the wrapped tool runs with a verified token bound to its arguments", async () => {
    const client = clientFor(tenant);
    let token: string | null = null;
    const stripe_refund = tool(
      async (amount: number, currency: string) => {
        token = currentToken();
        return `refunded ${amount} ${currency}`;
      },
      { name: "stripe_refund", policy: "refunds", client },
    );
    expect(await stripe_refund(45, "USD")).toBe("refunded 45 USD");
    const claims = await new LedgixClient({ vaultUrl: `${vault.url}/api` }).verifyToken(token!, { tool: "stripe_refund", toolArgs: { currency: "USD", amount: 45 }, tenantId: tenant.id });
    expect(claims).toMatchObject({ decision: "approved", policy_id: "refunds" });
  });

  it("a vault URL without /api: the 404 names the URL and suggests the base with /api", async () => {
    const error = await clientFor(tenant, vault, { vaultUrl: vault.url }).requestClearance(refund(45)).catch((e) => e);
    expect(error).toMatchObject({ name: "VaultConnectionError", status: 404 });
    expect(error.message).toMatch(new RegExp(`^Clearance request failed at ${vault.url}/request-clearance \\(did you mean LEDGIX_VAULT_URL=${vault.url}/api\\?\\): HTTP 404`));
  });

  it("denied: ClearanceDeniedError with the reason code", async () => {
    const error = await clientFor(tenant).requestClearance(refund(5000)).catch((e) => e);
    expect(error).toBeInstanceOf(ClearanceDeniedError);
    expect(error).toMatchObject({ reasonCode: "refund_too_large" });
    expect(error.requestId).toMatch(/^req_/);
  });

  it("pending_review approved by a reviewer with `ledgix review decide`", async () => {
    const client = clientFor(tenant, vault, { reviewMode: "detach" });
    const pending = await client.requestClearance(refund(500)).catch((e) => e);
    expect(pending).toBeInstanceOf(ReviewPendingError);
    const waiting = pending.pending.wait();
    await cliOk(["review", "decide", pending.requestId, "--approve", "--reason", "checked"], vault.env);
    const decided = await waiting;
    expect(decided).toMatchObject({ status: "approved", decisionStatus: "approved", requestId: pending.requestId });
    expect((await client.verifyToken(decided.token!)).request_id).toBe(pending.requestId);
  });

  it("a reviewer edits the amount down with `ledgix review decide --args`: the tool runs with the edited amount", async () => {
    const reviewer = "rita@sdk-edit.test";
    await asOperator(vault, (run) => run("member.add", { tenant: tenant.id, email: reviewer, role: "reviewer" }));
    const client = clientFor(tenant);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const ran: unknown[][] = [];
    const stripe_refund = tool(
      async (amount: number, currency: string, memo?: string) => {
        ran.push([amount, currency, memo, currentClearance()?.argsEdited]);
        return currentToken();
      },
      { name: "stripe_refund", policy: "refunds", client },
    );
    try {
      const running = stripe_refund(500, "USD", "order 7");
      let requestId: string | undefined;
      for (let i = 0; i < 100 && !requestId; i++) {
        const waiting = (await asOperator(vault, (run) => run("review.list", { tenant: tenant.id }))) as { id: string; toolArgs: { memo?: string } }[];
        requestId = waiting.find((r) => r.toolArgs.memo === "order 7")?.id;
        if (!requestId) await new Promise((r) => setTimeout(r, 100));
      }
      await cliOk(["review", "decide", requestId!, "--approve", "--as", reviewer, "--args", JSON.stringify({ amount: 250, currency: "USD" })], vault.env);
      const token = await running;
      expect(ran).toEqual([[250, "USD", undefined, true]]);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(new RegExp(`stripe_refund \\(request ${requestId}\\).*changed: amount, memo\\)$`));
      // The token binds the edited call: a gateway checking the arguments asked for refuses it.
      const verifier = new LedgixClient({ vaultUrl: `${vault.url}/api` });
      await expect(verifier.verifyToken(token!, { toolArgs: { amount: 500, currency: "USD", memo: "order 7" } })).rejects.toThrow(/other arguments/);
      // The server's ledger entry carries approved_args_hash, and this SDK's verifier accepts it.
      let verified;
      for (let i = 0; i < 100 && !verified; i++) {
        verified = await client.verifyDecision(requestId!).catch((e) => (e.status === 404 || e.status === 409 ? null : Promise.reject(e)));
        if (!verified) await new Promise((r) => setTimeout(r, 200));
      }
      expect(verified?.ok).toBe(true);
      const bundle = await client.getProofBundle(requestId!);
      expect(bundle.event).toMatchObject({ approved_args_hash: toolArgsHash({ amount: 250, currency: "USD" }), tool_args: { amount: 500, currency: "USD", memo: "order 7" } });
    } finally {
      warn.mockRestore();
    }
  });

  it("pending_review in block mode: a review timeout raises ManualReviewTimeoutError", async () => {
    const error = await clientFor(tenant, vault, { reviewTimeout: 800 }).requestClearance(refund(500)).catch((e) => e);
    expect(error).toBeInstanceOf(ManualReviewTimeoutError);
    expect(error.requestId).toMatch(/^req_/);
  });

  it("processing: the client polls until the decision", async () => {
    const response = await clientFor(asyncTenant, inject("asyncVault")).requestClearance(refund(45));
    expect(response).toMatchObject({ status: "approved", decisionStatus: "approved" });
    expect(response.token).toMatch(/^ey/);
  });

  it("a replayed token is detected; a tampered one is refused", async () => {
    const client = clientFor(tenant, vault, { verifyJwt: false });
    const { token } = await client.requestClearance(refund(45));
    await client.verifyToken(token!);
    await expect(client.verifyToken(token!)).rejects.toBeInstanceOf(ReplayDetectedError);
    const [h, p, s] = token!.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, jti: "jti_forged", tool_args_hash: "0".repeat(64) })).toString("base64url")}.${s}`;
    await expect(client.verifyToken(forged)).rejects.toBeInstanceOf(TokenVerificationError);
  });

  it("a rotated signing key: the client refetches the JWKS and verifies tokens of both keys", async () => {
    const client = clientFor(tenant);
    const before = await client.requestClearance(refund(10));
    await cliOk(["signing-key", "rotate"], vault.env);
    // The server re-reads its active key every few seconds.
    let after = await client.requestClearance(refund(11));
    const kidOf = (t: string) => JSON.parse(Buffer.from(t.split(".")[0]!, "base64url").toString()).kid;
    for (let i = 0; i < 40 && kidOf(after.token!) === kidOf(before.token!); i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await client.requestClearance(refund(12 + i));
    }
    expect(kidOf(after.token!)).not.toBe(kidOf(before.token!));
    expect((await clientFor(tenant).verifyToken(before.token!)).jti).toBeTruthy();
  });

  it("verifies a decision's ledger proof bundle from the vault", async () => {
    const client = clientFor(tenant);
    const { requestId } = await client.requestClearance(refund(20));
    let result;
    for (let i = 0; i < 100 && !result; i++) {
      result = await client.verifyDecision(requestId).catch((e) => (e.status === 404 || e.status === 409 ? null : Promise.reject(e)));
      if (!result) await new Promise((r) => setTimeout(r, 200));
    }
    expect(result?.ok).toBe(true);
    // The whole (small) log: every entry and the checkpoint chain from genesis.
    const [entries, checkpoints] = await Promise.all([client.getLedger({ limit: 500 }), client.getCheckpoints({ limit: 500 })]);
    expect(entries.some((e) => e.request_id === requestId)).toBe(true);
    expect(verifyLedgerProof(entries, checkpoints, await client.fetchJwks()).ok).toBe(true);
  });
});
