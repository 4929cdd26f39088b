// The clearance pipeline on a real embedded database: policy resolution, the tenant's
// confidence floor, failed evaluations, and resuming requests left `processing`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { installJobQueue } from "../../fixtures/job-queue";
import type { Database } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import type { ConditionInput } from "@/lib/policy/condition";
import type { Evaluator, Verdict } from "@/lib/policy/evaluate";
import type { PolicyDocument } from "@/lib/policy/schemas";

// How long requestClearance waits for an evaluation before answering `processing`.
const WAIT_MS = 400;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-pipeline-"));
// lib/env.ts caches on first use and lib/keys/master-key.ts keeps the development key in
// the data directory: both must see the temp directory before any module reads env().
vi.stubEnv("LEDGIX_DATA_DIR", dataDir);
vi.stubEnv("LEDGIX_MASTER_KEY", undefined);
vi.stubEnv("DATABASE_URL", undefined);
vi.stubEnv("LEDGIX_DECISION_WAIT_MS", String(WAIT_MS));
vi.stubEnv("LEDGIX_JWT_ISSUER", "alcv-vault");
vi.stubEnv("LEDGIX_JWT_AUDIENCE", "ledgix-sdk");

const { openDatabase } = await import("@/lib/db/open");
const { createTenant } = await import("@/lib/tenants/tenants");
const { applyPolicy } = await import("@/lib/policy/apply-policy");
const { requestClearance } = await import("@/lib/clearance/request-clearance");
const { resumeProcessing } = await import("@/lib/clearance/resume-processing");
const { overviewStats } = await import("@/lib/clearance/overview-stats");
const { clearanceBodySchema } = await import("@/lib/policy/request-body");
const { toolArgsHash } = await import("@/lib/clearance/args-hash");
const { signClearanceToken } = await import("@/lib/clearance/token");
const { publishedJwks } = await import("@/lib/keys/signing-keys");
const { newId } = await import("@/lib/ids");

let database: Database;
let tenantCount = 0;

beforeAll(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined); // the dev master key notice
  database = await openDatabase({ kind: "embedded", dataDir });
  await installJobQueue(database.connection);
});

afterAll(async () => {
  await database?.close();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const prisma = () => database.prisma;
const newTenant = () => createTenant(prisma(), `pipeline-tenant-${++tenantCount}-${Date.now()}`);

const policySource = (policyId: string, effect: "allow" | "deny" | "review" = "allow", extra = "") =>
  `policy_id: ${policyId}\nrules:\n  - id: ${policyId}-rule\n    tool: "*"\n    effect: ${effect}\n${extra}`;

function call(tenant: Tenant, raw: Record<string, unknown> = {}) {
  const value = {
    tool_name: "stripe_refund",
    tool_args: { amount: 45, currency: "usd" },
    agent_id: "agent-refunds",
    session_id: "sess-1",
    ...raw,
  };
  const rawBody = JSON.stringify(value);
  return { tenant, apiKeyId: null, body: clearanceBodySchema.parse(value), rawBody };
}

interface Seen {
  policy: PolicyDocument;
  input: ConditionInput;
}

/** An evaluator that records its calls and answers `verdict`. */
function fixedEvaluator(verdict: Partial<Verdict> & Pick<Verdict, "effect" | "confidence">): Evaluator & { calls: Seen[] } {
  const calls: Seen[] = [];
  const evaluate = async (policy: PolicyDocument, input: ConditionInput): Promise<Verdict> => {
    calls.push({ policy, input });
    return { reason: "judged", reasonCode: null, ruleId: null, ...verdict };
  };
  return Object.assign(evaluate, { calls });
}

async function waitForStatus(id: string, done: (status: string) => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id } });
    if (done(row.status) || Date.now() > deadline) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const mediumAllow = () => fixedEvaluator({ effect: "allow", confidence: "medium", reason: "Looks fine.", ruleId: "judge" });

describe("requestClearance", () => {
  it("an allow with confidence medium is held for review under the default minimum high", async () => {
    const tenant = await newTenant();
    expect(tenant.minimumConfidenceBucket).toBe("high");
    const version = await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    const evaluator = mediumAllow();
    const row = await requestClearance(prisma(), call(tenant), evaluator);

    expect(row.status).toBe("pending_review");
    expect(row.decisionStatus).toBe("approved_pending_review");
    expect(row.reasonCode).toBe("below_minimum_confidence");
    expect(row.reason).toMatch(/^Looks fine\. Confidence medium is below the tenant minimum high/);
    expect(row.confidenceBucket).toBe("medium");
    expect(row.reviewQuorum).toBe(1);
    expect(row.tokenJti).toBeNull();
    expect(row.decidedAt).toBeNull();
    // The request itself is stored as sent, under the resolved policy version.
    expect(row.tenantId).toBe(tenant.id);
    expect(row.policySlug).toBe("refunds");
    expect(row.policyVersionId).toBe(version.versionId);
    expect(row.policyContentHash).toBe(version.contentHash);
    expect(row.toolArgsHash).toBe("c4eb274a4f63edf240bc89a4fa5280b4a845ccbd0e9cab6d3a13287e5091a83a");
    expect(row.rawBody).toBe(call(tenant).rawBody);

    // The evaluator saw the stored policy document and the request's variables.
    expect(evaluator.calls).toHaveLength(1);
    const [{ policy, input }] = evaluator.calls as [Seen];
    expect(policy.policy_id).toBe("refunds");
    expect(input).toMatchObject({ tool: "stripe_refund", args: { amount: 45, currency: "usd" }, agent_id: "agent-refunds", session_id: "sess-1", context: {} });
    expect(input.now).toBeInstanceOf(Date);

    const stored = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: row.id } });
    expect(stored.status).toBe("pending_review");
  });

  it("with the tenant minimum at medium the same allow is approved with token fields set", async () => {
    const created = await newTenant();
    const tenant = await prisma().tenant.update({ where: { id: created.id }, data: { minimumConfidenceBucket: "medium" } });
    const version = await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    const before = Math.floor(Date.now() / 1000);
    const row = await requestClearance(prisma(), call(tenant), mediumAllow());

    expect(row.status).toBe("approved");
    expect(row.decisionStatus).toBe("approved");
    expect(row.reasonCode).toBeNull();
    expect(row.reason).toBe("Looks fine.");
    expect(row.matchedRuleId).toBe("judge");
    expect(row.confidenceBucket).toBe("medium");
    expect(row.decidedBy).toBe("policy");
    expect(row.decidedAt).toBeInstanceOf(Date);
    expect(row.tokenJti).toMatch(/^jti_[0-9a-z]{26}$/);
    expect(row.tokenKeyId).toMatch(/^sk_/);
    expect(row.tokenIssuedAt).toBeGreaterThanOrEqual(before);
    expect(row.tokenExpiresAt).toBe(row.tokenIssuedAt! + tenant.tokenTtlSeconds);
    // The signing key was sealed under the development master key kept in the temp data dir.
    expect(fs.existsSync(path.join(dataDir, "master.key"))).toBe(true);

    // The token re-signed from those fields verifies against the published JWKS.
    const token = await signClearanceToken(prisma(), row as typeof row & { tokenJti: string; tokenKeyId: string; tokenIssuedAt: number; tokenExpiresAt: number });
    const jwk = (await publishedJwks(prisma())).keys.find((k) => (k as { kid?: string }).kid === row.tokenKeyId);
    expect(jwk).toBeDefined();
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(jwk as Parameters<typeof importJWK>[0], "EdDSA"), {
      issuer: "alcv-vault",
      audience: "ledgix-sdk",
    });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: row.tokenKeyId });
    expect(payload).toMatchObject({
      sub: "clearance",
      jti: row.tokenJti,
      request_id: row.id,
      tenant_id: tenant.id,
      tool: "stripe_refund",
      tool_args_hash: row.toolArgsHash,
      policy_id: "refunds",
      policy_version_id: version.versionId,
      policy_content_hash: version.contentHash,
      decision: "approved",
    });
  });

  it("an evaluator that throws leaves the request to a human: pending_review policy_evaluation_error", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    const throwing: Evaluator = async () => {
      throw new Error("model unreachable");
    };
    const row = await requestClearance(prisma(), call(tenant), throwing);
    expect(row.status).toBe("pending_review");
    expect(row.reasonCode).toBe("policy_evaluation_error");
    expect(row.reason).toContain("model unreachable");
    expect(row.tokenJti).toBeNull();
  });

  it("a tenant without any policy: pending_review no_policy, and the evaluator is not called", async () => {
    const tenant = await newTenant();
    const evaluator = mediumAllow();
    const row = await requestClearance(prisma(), call(tenant), evaluator);
    expect(row.status).toBe("pending_review");
    expect(row.reasonCode).toBe("no_policy");
    expect(row.policyVersionId).toBeNull();
    expect(evaluator.calls).toHaveLength(0);
  });

  it("context.policy_id naming a missing policy: denied policy_not_found", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    const evaluator = mediumAllow();
    const row = await requestClearance(prisma(), call(tenant, { context: { policy_id: "nope" } }), evaluator);
    expect(row.status).toBe("denied");
    expect(row.decisionStatus).toBe("denied");
    expect(row.reasonCode).toBe("policy_not_found");
    expect(row.policySlug).toBe("nope");
    expect(row.policyVersionId).toBeNull();
    expect(row.tokenJti).toBeNull();
    expect(evaluator.calls).toHaveLength(0);
  });

  it("context.policy_id names which of several policies applies", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("alpha", "deny"));
    const beta = await applyPolicy(prisma(), tenant.id, policySource("beta", "allow"));
    const row = await requestClearance(prisma(), call(tenant, { context: { policy_id: "beta" } }));
    expect(row.status).toBe("approved");
    expect(row.policySlug).toBe("beta");
    expect(row.policyVersionId).toBe(beta.versionId);
    expect(row.matchedRuleId).toBe("beta-rule");
  });

  it("a policy of another tenant is not found", async () => {
    const owner = await newTenant();
    await applyPolicy(prisma(), owner.id, policySource("private-policy"));
    const other = await newTenant();
    const row = await requestClearance(prisma(), call(other, { context: { policy_id: "private-policy" } }), mediumAllow());
    expect(row.status).toBe("denied");
    expect(row.reasonCode).toBe("policy_not_found");
  });

  it("two active policies and none named default: pending_review no_default_policy", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("alpha"));
    await applyPolicy(prisma(), tenant.id, policySource("beta"));
    const evaluator = mediumAllow();
    const row = await requestClearance(prisma(), call(tenant), evaluator);
    expect(row.status).toBe("pending_review");
    expect(row.reasonCode).toBe("no_default_policy");
    expect(evaluator.calls).toHaveLength(0);
  });

  it("the policy named default applies when the request names none", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("alpha", "allow"));
    const fallback = await applyPolicy(prisma(), tenant.id, policySource("default", "deny", '    reason_code: default_says_no\n'));
    await applyPolicy(prisma(), tenant.id, policySource("zeta", "allow"));
    const row = await requestClearance(prisma(), call(tenant));
    expect(row.status).toBe("denied");
    expect(row.reasonCode).toBe("default_says_no");
    expect(row.policySlug).toBe("default");
    expect(row.policyVersionId).toBe(fallback.versionId);
    expect(row.matchedRuleId).toBe("default-rule");
  });

  it("the only active policy applies when the request names none, with the real rule evaluator", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, fs.readFileSync(new URL("../../../examples/refund-policy.yaml", import.meta.url), "utf8"));
    const small = await requestClearance(prisma(), call(tenant, { tool_args: { amount: 50, currency: "USD" } }));
    expect(small).toMatchObject({ status: "approved", matchedRuleId: "refund-small", confidenceBucket: "extra_high", policySlug: "refunds" });
    const large = await requestClearance(prisma(), call(tenant, { tool_args: { amount: 5000, currency: "USD" } }));
    expect(large).toMatchObject({ status: "denied", reasonCode: "refund_too_large", matchedRuleId: "refund-large" });
    // Issue 7, finding 10: a negative, missing or non-numeric amount is no refund at all.
    const usd = { currency: "USD" };
    for (const toolArgs of [{ amount: -5000, ...usd }, { amount: 0, ...usd }, { amount: "5000", ...usd }, usd, { amount: 5 }, { amount: 5, currency: 1 }]) {
      const malformed = await requestClearance(prisma(), call(tenant, { tool_args: toolArgs }));
      expect(malformed, JSON.stringify(toolArgs)).toMatchObject({ status: "denied", reasonCode: "invalid_refund_arguments", matchedRuleId: "refund-malformed" });
    }
  });

  it("an evaluation that outlasts the wait is stored as processing and decided in the background", async () => {
    const created = await newTenant();
    const tenant = await prisma().tenant.update({ where: { id: created.id }, data: { minimumConfidenceBucket: "medium" } });
    const version = await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const slow: Evaluator = async () => {
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS + 300));
      finish();
      return { effect: "allow", confidence: "medium", reason: "Slow but fine.", reasonCode: null, ruleId: "judge" };
    };
    const row = await requestClearance(prisma(), call(tenant), slow);
    expect(row).toMatchObject({ status: "processing", decisionStatus: "denied", tokenJti: null, policyVersionId: version.versionId });
    await finished;
    const decided = await waitForStatus(row.id, (status) => status !== "processing");
    expect(decided).toMatchObject({ status: "approved", reason: "Slow but fine.", matchedRuleId: "judge" });
    expect(decided.tokenJti).toMatch(/^jti_/);
  });

  it("a late background verdict never overwrites a decision taken meanwhile", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const slow: Evaluator = async () => {
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS + 300));
      setTimeout(finish, 200); // leave the background transition time to run
      return { effect: "deny", confidence: "extra_high", reason: "Too late.", reasonCode: "late", ruleId: "late" };
    };
    const row = await requestClearance(prisma(), call(tenant), slow);
    expect(row.status).toBe("processing");
    // Meanwhile (e.g. a restart) the request is decided by someone else.
    await resumeProcessing(prisma(), fixedEvaluator({ effect: "review", confidence: "none", reasonCode: "first_decision" }));
    await finished;
    const after = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: "pending_review", reasonCode: "first_decision" });
  });

  it("applyPolicy: the same bytes again change nothing; new bytes become the active version used next", async () => {
    const tenant = await newTenant();
    const first = await applyPolicy(prisma(), tenant.id, policySource("refunds", "allow"));
    expect(first.created).toBe(true);
    expect(first.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const same = await applyPolicy(prisma(), tenant.id, policySource("refunds", "allow"));
    expect(same).toEqual({ ...first, created: false });
    const second = await applyPolicy(prisma(), tenant.id, policySource("refunds", "deny"));
    expect(second.created).toBe(true);
    expect(second.versionId).not.toBe(first.versionId);
    const row = await requestClearance(prisma(), call(tenant));
    expect(row).toMatchObject({ status: "denied", policyVersionId: second.versionId, policyContentHash: second.contentHash });
    expect(await prisma().policyVersion.count({ where: { tenantId: tenant.id } })).toBe(2);
  });

  it("a review verdict stores its quorum and timeout", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("reviewed", "review", "    quorum: 3\n    review_timeout: 2h\n"));
    const row = await requestClearance(prisma(), call(tenant));
    expect(row).toMatchObject({ status: "pending_review", decisionStatus: "approved_pending_review", reasonCode: "review_required", reviewQuorum: 3, reviewTimeoutSeconds: 7200 });
  });

  // Issue 21: the overview showed "0 ms / 0 ms" because the row was stamped after its decision.
  it("stores when the request arrived, so the overview's decision latency counts the evaluation", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    const slow: Evaluator = async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return { effect: "allow", confidence: "high", reason: "Slow but sure.", reasonCode: null, ruleId: "judge" };
    };
    const rows = [await requestClearance(prisma(), call(tenant), slow), await requestClearance(prisma(), call(tenant), slow)];
    for (const row of rows) {
      expect(row.status).toBe("approved");
      expect(row.decidedAt!.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(55);
    }
    const stats = await overviewStats(prisma(), tenant.id, "24h");
    expect(stats.p50Ms).toBeGreaterThanOrEqual(55);
    expect(stats.p99Ms).toBeGreaterThanOrEqual(55);
  });
});

describe("resumeProcessing", () => {
  /** A row as requestClearance stores it when the evaluation outlasts the wait. */
  async function insertProcessing(tenant: Tenant, version: { policyId: string; versionId: string; contentHash: string } | null, slug?: string) {
    const args = { amount: 45, currency: "usd" };
    const body = { tool_name: "stripe_refund", tool_args: args, agent_id: "agent-refunds", session_id: "sess-9" };
    return prisma().clearanceRequest.create({
      data: {
        id: newId("req"),
        tenantId: tenant.id,
        apiKeyId: null,
        agentId: body.agent_id,
        sessionId: body.session_id,
        toolName: body.tool_name,
        toolArgs: args,
        context: {},
        rawBody: JSON.stringify(body),
        humanPrincipal: null,
        parentJti: null,
        toolArgsHash: toolArgsHash(args),
        policySlug: version?.policyId ?? slug ?? null,
        policyVersionId: version?.versionId ?? null,
        policyContentHash: version?.contentHash ?? null,
        status: "processing",
        decisionStatus: "denied",
      },
    });
  }

  it("decides rows left processing under the policy version they were accepted with, once", async () => {
    const tenant = await newTenant();
    const first = await applyPolicy(prisma(), tenant.id, policySource("refunds", "allow"));
    const row = await insertProcessing(tenant, first);
    // A newer version that would deny must not be used for the old request.
    const second = await applyPolicy(prisma(), tenant.id, policySource("refunds", "deny"));
    expect(second.versionId).not.toBe(first.versionId);

    const decided = await resumeProcessing(prisma());
    expect(decided).toBeGreaterThanOrEqual(1);
    const after = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe("approved");
    expect(after.decisionStatus).toBe("approved");
    expect(after.confidenceBucket).toBe("extra_high");
    expect(after.matchedRuleId).toBe("refunds-rule");
    expect(after.tokenJti).toMatch(/^jti_/);
    expect(after.policyVersionId).toBe(first.versionId);

    expect(await resumeProcessing(prisma())).toBe(0);
    const again = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: row.id } });
    expect(again.tokenJti).toBe(after.tokenJti);
  });

  it("applies the tenant minimum to a resumed allow and passes the stored request to the evaluator", async () => {
    const tenant = await newTenant();
    const version = await applyPolicy(prisma(), tenant.id, policySource("refunds"));
    const row = await insertProcessing(tenant, version);
    const evaluator = mediumAllow();
    expect(await resumeProcessing(prisma(), evaluator)).toBe(1);
    expect(evaluator.calls).toHaveLength(1);
    expect(evaluator.calls[0]!.input).toMatchObject({ tool: "stripe_refund", args: { amount: 45, currency: "usd" }, session_id: "sess-9" });
    const after = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: "pending_review", reasonCode: "below_minimum_confidence", tokenJti: null });
  });

  it("a row whose policy version is gone goes to a human, and one without a version is resolved by slug", async () => {
    const tenant = await newTenant();
    const version = await applyPolicy(prisma(), tenant.id, policySource("refunds", "deny"));
    const gone = await insertProcessing(tenant, { ...version, versionId: "pv_doesnotexist" });
    const bySlug = await insertProcessing(tenant, null, "refunds");
    expect(await resumeProcessing(prisma())).toBe(2);
    const goneAfter = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: gone.id } });
    expect(goneAfter).toMatchObject({ status: "pending_review", reasonCode: "policy_evaluation_error" });
    const bySlugAfter = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: bySlug.id } });
    expect(bySlugAfter).toMatchObject({ status: "denied", reasonCode: "policy_denied", decidedBy: "policy" });
  });

  it("leaves rows that are already decided alone", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, policySource("refunds", "deny"));
    const decided = await requestClearance(prisma(), call(tenant));
    expect(decided.status).toBe("denied");
    await resumeProcessing(prisma(), mediumAllow());
    const after = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id: decided.id } });
    expect(after).toMatchObject({ status: "denied", reasonCode: "policy_denied" });
  });
});
