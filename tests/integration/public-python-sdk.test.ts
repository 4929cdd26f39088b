// The public ledgix-python 0.4.0 client (PyPI), unmodified, against our server: the wire
// protocol's compatibility target. tests/compat/public_python_sdk.py drives the SDK through its
// public API and prints what it saw as JSON; these tests check that JSON and cross-check it
// with our own API. The client runs from .venv-compat/, which scripts/python-venv.sh creates.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cliOk } from "../fixtures/cli";
import { waitForTreeSize } from "../fixtures/ledger";
import type { ServerInfo } from "../fixtures/server";
import { ALL_SCOPES, createTenant, type TestTenant } from "../fixtures/tenant";

const root = path.resolve(import.meta.dirname, "../..");
const driver = path.join(root, "tests/compat/public_python_sdk.py");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let python = "";

beforeAll(async () => {
  // The first run creates the venv and installs the client from PyPI.
  python = await new Promise<string>((resolve, reject) =>
    execFile("bash", [path.join(root, "scripts/python-venv.sh")], { cwd: root, timeout: 170_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`scripts/python-venv.sh failed: ${error.message}\n${stderr}`)) : resolve(stdout.trim().split("\n").at(-1)!),
    ),
  );
}, 180_000);

interface DriverRun {
  code: number;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts one driver subcommand as the given tenant. `pending` resolves with the request id of
 * a `PENDING <request_id>` line on stderr (review scenarios); `done` when the process exits.
 */
function startDriver(server: ServerInfo, tenant: TestTenant, args: string[]) {
  // Of the SDK's settings only these two come from outside: no stray LEDGIX_* or PYTHON* variables.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(LEDGIX_|PYTHON)/.test(name)) delete env[name];
  Object.assign(env, { LEDGIX_VAULT_URL: `${server.url}/api`, LEDGIX_VAULT_API_KEY: tenant.key });
  // The working directory matters too: the SDK's settings also read a .env file there.
  const child = spawn(python, [driver, ...args], { cwd: path.dirname(driver), env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stdout = "";
  let stderr = "";
  let announced: ((id: string) => void) | undefined;
  const pending = new Promise<string>((resolve) => (announced = resolve));
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
    const id = /^PENDING (\S+)$/m.exec(stderr)?.[1];
    if (id) announced?.(id);
  });
  const done = new Promise<DriverRun>((resolve, reject) => {
    child.on("error", reject).on("exit", (code) => {
      running.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  /** The pending request's id, or an error naming the driver's output if it exits first. */
  const pendingId = Promise.race([
    pending,
    done.then((run) => Promise.reject(new Error(`driver ${args[0]} exited ${run.code} without PENDING:\n${run.stderr}`))),
  ]);
  pendingId.catch(() => undefined); // only the review scenarios wait for it
  return { done, pending: pendingId };
}

function parse<T>(args: string[], run: DriverRun): T {
  if (run.code !== 0) throw new Error(`driver ${args.join(" ")} exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

interface Claims {
  jti: string;
  request_id: string;
  tool_args_hash: string;
  [claim: string]: unknown;
}

/** A ClearanceResponse as the SDK parsed it, token replaced by `has_token`. */
interface SdkResponse {
  status: string;
  decision_status: string;
  request_id: string;
  reason: string;
  reason_code: string | null;
  policy_version_id: string | null;
  policy_content_hash: string | null;
  has_token: boolean;
}

interface SdkDenial {
  raised: string | null;
  reason: string;
  request_id: string;
}

interface BundleResult {
  intact: boolean;
  error: string | null;
  has_consistency: boolean;
  canonical_version: number;
}

interface LedgerResult {
  intact: boolean;
  error: string | null;
  verified_entries: number;
  verified_checkpoints: number;
  coverage_note: string | null;
  entries: { request_id: string; intent_hash: string; leaf_index: number | null; canonical_version: number; confidence: number }[];
  checkpoint_ids: number[];
  bundles: Record<string, BundleResult>;
  inclusion: { request_id: string; leaf_index: number; tree_size: number; path_length: number; checkpoint_id: number; checkpoint_tree_size: number };
  consistency: { from: number; to: number; path_length: number };
  untampered: { intact: boolean; error: string | null };
  tampered: { intact: boolean; error: string | null };
}

describe.each(inject("servers"))("the public ledgix-python 0.4.0 client on the $kind database", (server) => {
  let tenant: TestTenant;
  /** Request ids of this tenant's terminal decisions: each must become one ledger entry. */
  const decided = new Set<string>();

  const run = async <T>(...args: string[]): Promise<T> => parse<T>(args, await startDriver(server, tenant, args).done);
  const statusOf = async (requestId: string) => (await tenant.call(`/api/clearance-status/${requestId}`)).json();
  const expectedClaims = (requestId: string, amount: number) => ({
    iss: "alcv-vault",
    sub: "clearance",
    aud: ["ledgix-sdk"],
    tenant_id: tenant.id,
    request_id: requestId,
    tool: "stripe_refund",
    agent_id: "agent-python-compat",
    session_id: "sess-python-compat",
    policy_id: "refunds",
    decision: "approved",
    // The arguments reached the server exactly as the SDK sent them.
    tool_args_hash: sha256(`{"amount":${amount},"currency":"USD"}`),
  });

  beforeAll(async () => {
    tenant = await createTenant(server, undefined, ALL_SCOPES);
    // The decision cache's second call mints a second token under the same approval.
    await asOperator(server, (run) => run("tenant.update", { tenant: tenant.id, tokenMaxPerApproval: 2 }));
  });

  it("approves a small refund; the SDK verifies the EdDSA token against our JWKS", async () => {
    const out = await run<SdkResponse & { claims: Claims; jwks_fetches: number; token_verified_by_sdk: boolean }>("approve");
    expect(out).toMatchObject({
      status: "approved",
      decision_status: "approved",
      has_token: true,
      confidence_bucket: "extra_high",
      reason: "Refunds up to 100 USD are pre-approved",
      // request_clearance fetched the JWKS and verified the token: its jti is already spent.
      jwks_fetches: 1,
      token_verified_by_sdk: true,
    });
    expect(out.request_id).toMatch(/^req_/);
    expect(out.policy_version_id).toMatch(/^pv_/);
    expect(out.claims).toMatchObject({ ...expectedClaims(out.request_id, 45), policy_version_id: out.policy_version_id, policy_content_hash: out.policy_content_hash });
    decided.add(out.request_id);
  });

  it("raises ClearanceDeniedError with the policy's reason for a refund the policy denies", async () => {
    const out = await run<SdkDenial & { message: string }>("deny");
    expect(out).toMatchObject({ raised: "ClearanceDeniedError", reason: "Refunds above 1,000 USD are never automated" });
    expect(await statusOf(out.request_id)).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "refund_too_large", request_id: out.request_id });
    decided.add(out.request_id);
  });

  it("blocks in review until a person approves with the CLI, then returns the verified approval", async () => {
    const sdk = startDriver(server, tenant, ["review-block"]);
    const requestId = await sdk.pending;
    expect(await statusOf(requestId)).toMatchObject({ status: "pending_review", decision_status: "approved_pending_review" });
    await cliOk(["review", "decide", requestId, "--approve", "--reason", "approved by the compatibility test"], server.env);
    const out = parse<SdkResponse & { announced_request_id: string; polls: number; poll_statuses: number[]; token_verified_by_sdk: boolean; claims: Claims }>(
      ["review-block"],
      await sdk.done,
    );
    expect(out).toMatchObject({
      status: "approved",
      decision_status: "approved",
      request_id: requestId,
      reason: "approved by the compatibility test",
      reason_code: "review_approved",
      has_token: true,
      poll_statuses: [200], // PY polls without retries: any other status would have raised
      token_verified_by_sdk: true,
    });
    expect(out.polls).toBeGreaterThanOrEqual(2); // at least one pending answer, then the decision
    expect(out.claims).toMatchObject(expectedClaims(requestId, 500));
    decided.add(requestId);
  });

  it("hands out a PendingApproval in detach mode whose wait() returns the approval", async () => {
    const sdk = startDriver(server, tenant, ["review-detach"]);
    const requestId = await sdk.pending;
    await cliOk(["review", "decide", requestId, "--approve"], server.env);
    const out = parse<SdkResponse & { pending_request_id: string; token_verified_by_wait: boolean; claims: Claims }>(["review-detach"], await sdk.done);
    expect(out).toMatchObject({ status: "approved", decision_status: "approved", request_id: requestId, reason_code: "review_approved", has_token: true });
    // Protocol §3.4 / §13 item 20: the SDK does not verify a token that wait() returns (nor
    // remember its jti); the driver verifies it with verify_token, as a caller must.
    expect(out.token_verified_by_wait).toBe(false);
    expect(out.claims).toMatchObject(expectedClaims(requestId, 600));
    decided.add(requestId);
  });

  it("cancels a pending review from the agent; the request ends denied as review_cancelled_by_agent", async () => {
    const out = await run<{ request_id: string; cancel_calls: unknown[]; after_cancel: SdkDenial }>("review-cancel");
    expect(out.cancel_calls).toEqual([{ method: "POST", path: `/api/reviews/${out.request_id}/decision`, status: 200 }]);
    expect(out.after_cancel).toEqual({ raised: "ClearanceDeniedError", reason: "cancelled by agent", request_id: out.request_id });
    expect(await statusOf(out.request_id)).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "review_cancelled_by_agent" });
    decided.add(out.request_id);
  });

  it("registers a plain-English policy, once", async () => {
    const policyId = `py-compat-${randomBytes(3).toString("hex")}`;
    type Registered = { policy_id: string; status: string; message: string };
    const out = await run<{ first: Registered; again: Registered; calls: { status: number }[] }>("register-policy", policyId);
    expect(out.first).toMatchObject({ policy_id: policyId, status: "registered" });
    expect(out.again).toMatchObject({ policy_id: policyId, status: "unchanged", message: out.first.message });
    expect(out.calls.map((call) => call.status)).toEqual([201, 200]);
    // Decisions under it name the registered version. Its rules go to the judge; the test
    // servers configure none, so a person decides.
    const decision = await (await tenant.post("/api/request-clearance", { tool_name: "stripe_refund", tool_args: { amount: 1 }, context: { policy_id: policyId } })).json();
    expect(decision).toMatchObject({ status: "pending_review", reason_code: "judge_not_configured" });
    expect(out.first.message).toContain(decision.policy_version_id);
  });

  it("serves a cached approval's second call through /mint-token with a fresh verified token", async () => {
    const out = await run<{
      first: SdkResponse;
      second: SdkResponse;
      calls: string[];
      second_token_verified_by_sdk: boolean;
      first_claims: Claims;
      second_claims: Claims;
    }>("mint");
    expect(out.calls).toEqual(["POST /api/request-clearance 200", "POST /api/mint-token 200"]);
    expect(out.second).toMatchObject({ status: "approved", decision_status: "approved", has_token: true, policy_version_id: out.first.policy_version_id });
    expect(out.second.request_id).toMatch(/^req_/);
    expect(out.second.request_id).not.toBe(out.first.request_id);
    expect(out.second_token_verified_by_sdk).toBe(true);
    expect(out.second_claims).toMatchObject(expectedClaims(out.second.request_id, 46));
    expect(out.second_claims.jti).not.toBe(out.first_claims.jti);
    expect(await statusOf(out.second.request_id)).toMatchObject({ status: "approved", request_id: out.second.request_id });
    decided.add(out.first.request_id).add(out.second.request_id);
  });

  it("detects a token presented twice as a replay", async () => {
    const out = await run<{ request_id: string; first_claims: Claims; second: Record<string, unknown> }>("replay");
    expect(out.first_claims).toMatchObject(expectedClaims(out.request_id, 47));
    expect(out.second).toEqual({ raised: "ReplayDetectedError", is_token_verification_error: true, jti: out.first_claims.jti });
    decided.add(out.request_id);
  });

  it("verifies the tenant's whole ledger and every decision's proof bundle as intact", async () => {
    expect(decided.size).toBe(8); // every scenario above left its decision(s)
    // verify_ledger_proof() compares the latest checkpoint's root with all entries only once a
    // checkpoint covers every decision.
    await waitForTreeSize(tenant, decided.size);
    const out = await run<LedgerResult>("ledger", ...decided);
    expect(out, out.error ?? "").toMatchObject({ intact: true, error: null, verified_entries: decided.size });
    // No coverage note: no entry was redacted (every event hash was recomputed) and the root
    // of the latest checkpoint was rebuilt from all the leaves.
    expect(out.coverage_note).toBeNull();
    expect(out.entries.map((entry) => entry.request_id).sort()).toEqual([...decided].sort());
    for (const entry of out.entries) {
      expect(entry).toMatchObject({ intent_hash: expect.stringMatching(/^[0-9a-f]{64}$/), canonical_version: 1, leaf_index: expect.any(Number) });
      expect([0, 1]).not.toContain(entry.confidence); // decisions §2
    }
    // The no-argument call reads the 24 most recent checkpoints and must see the chain from
    // genesis (protocol §13 item 5), which holds for a tenant this small.
    expect(out.checkpoint_ids[0]).toBe(1);
    expect(out.verified_checkpoints).toBe(out.checkpoint_ids.length);
    for (const requestId of decided) {
      expect(out.bundles[requestId], requestId).toMatchObject({ intact: true, error: null, canonical_version: 1 });
    }
    // The earliest decisions' bundles also carry a consistency proof to the latest checkpoint.
    expect(Object.values(out.bundles).some((bundle) => bundle.has_consistency)).toBe(true);
    // The single proofs parse into the SDK's models and prove against the latest checkpoint.
    const [first] = decided;
    expect(out.inclusion).toMatchObject({ request_id: first, tree_size: decided.size, checkpoint_id: out.checkpoint_ids.at(-1), checkpoint_tree_size: decided.size });
    expect(out.inclusion.path_length).toBeGreaterThan(0);
    expect(out.consistency).toMatchObject({ from: 1, to: out.checkpoint_ids.at(-1) });
    // Negative control: the same verifier rejects the same rows with one amount changed.
    expect(out.untampered).toEqual({ intact: true, error: null });
    expect(out.tampered.intact).toBe(false);
    expect(out.tampered.error).toMatch(/event hash mismatch/);
  });
});
