// The policy engine on a real embedded database with the real clearance path and a
// local fake judge: explanations stored and in ledger v3, the judge while `processing`,
// versions, simulation (stores nothing), replay (real disagreements) and shadow mode.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { installJobQueue } from "../../fixtures/job-queue";
import type { Database } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import type { Explanation } from "@/lib/policy/explanation";
import type { LedgerEntry } from "@/sdk/typescript/src/ledger/types";
import { startFakeJudge, type FakeJudge } from "@/tests/fixtures/fake-judge";

const fake: FakeJudge = await startFakeJudge();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-policy-engine-"));
vi.stubEnv("LEDGIX_DATA_DIR", dataDir);
vi.stubEnv("LEDGIX_MASTER_KEY", undefined);
vi.stubEnv("DATABASE_URL", undefined);
vi.stubEnv("LEDGIX_DECISION_WAIT_MS", "0"); // every request answers `processing` first
vi.stubEnv("LEDGIX_JUDGE_BASE_URL", fake.baseURL);
vi.stubEnv("LEDGIX_JUDGE_MODEL", "fake-judge-1");
vi.stubEnv("LEDGIX_JUDGE_API_KEY", "sk-operator-secret");
vi.stubEnv("LEDGIX_JUDGE_TIMEOUT", "2000");
vi.stubEnv("LEDGIX_JUDGE_CACHE_SECONDS", "0");

const { openDatabase } = await import("@/lib/db/open");
const { createTenant } = await import("@/lib/tenants/tenants");
const { applyPolicy } = await import("@/lib/policy/apply-policy");
const { requestClearance } = await import("@/lib/clearance/request-clearance");
const { clearanceBodySchema } = await import("@/lib/policy/request-body");
const { decideReview } = await import("@/lib/review/decide-review");
const { simulate, simulateBodySchema } = await import("@/lib/policy/simulate");
const { replay, replayBodySchema } = await import("@/lib/policy/replay");
const { setShadowVersion, listShadowDecisions } = await import("@/lib/policy/shadow");
const { activateVersion, diffVersions, listVersions, showVersion } = await import("@/lib/policy/versions");
const { resolvePolicy } = await import("@/lib/policy/resolve-policy");
const { updateJudgeSettings, judgeConfigFor } = await import("@/lib/policy/judge-settings");

let database: Database;
beforeAll(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  database = await openDatabase({ kind: "embedded", dataDir });
  await installJobQueue(database.connection);
});
afterAll(async () => {
  await database?.close();
  await fake.close();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const prisma = () => database.prisma;
let tenants = 0;
async function newTenant(settings: Partial<Pick<Tenant, "minimumConfidenceBucket" | "ledgerCanonicalVersion">> = {}) {
  const tenant = await createTenant(prisma(), `engine-${++tenants}-${Date.now()}`);
  return prisma().tenant.update({ where: { id: tenant.id }, data: settings });
}

const body = (args: Record<string, unknown>, tool = "stripe_refund") => ({ tool_name: tool, tool_args: args, agent_id: "agent-1", session_id: "s-1", context: {} });
const call = (tenant: Tenant, args: Record<string, unknown>, tool?: string) => {
  const value = body(args, tool);
  return { tenant, apiKeyId: null, body: clearanceBodySchema.parse(value), rawBody: JSON.stringify(value) };
};

async function settled(id: string) {
  const deadline = Date.now() + 8000;
  for (;;) {
    const row = await prisma().clearanceRequest.findUniqueOrThrow({ where: { id } });
    if (row.status !== "processing" || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const structured = (max: number) => `policy_id: refunds
rules:
  - id: small
    tool: stripe_refund
    when: args.amount <= ${max}
    effect: allow
  - id: large
    tool: stripe_refund
    effect: deny
    reason_code: refund_too_large
`;
const judged = JSON.stringify({ policy_id: "refunds", instructions: "Refunds up to 100 are allowed. Larger refunds are denied." });

/** The ledger entry of a decided request (stored as JSON text in a jsonb column). */
async function ledgerEntry(requestId: string): Promise<LedgerEntry> {
  const { entry } = await prisma().ledgerEvent.findFirstOrThrow({ where: { requestId } });
  return (typeof entry === "string" ? JSON.parse(entry) : entry) as LedgerEntry;
}

const counts = async (tenantId: string) => ({
  requests: await prisma().clearanceRequest.count({ where: { tenantId } }),
  events: await prisma().ledgerEvent.count({ where: { tenantId } }),
  versions: await prisma().policyVersion.count({ where: { tenantId } }),
  shadow: await prisma().shadowDecision.count({ where: { tenantId } }),
});

describe("decisions with explanations", () => {
  it("the judge decides while the request is processing; the explanation is stored and fills ledger v3", async () => {
    const tenant = await newTenant({ ledgerCanonicalVersion: 3 });
    const version = await applyPolicy(prisma(), tenant.id, judged);
    const first = await requestClearance(prisma(), call(tenant, { amount: 40 }));
    expect(first.status).toBe("processing");
    const row = await settled(first.id);
    expect(row).toMatchObject({ status: "approved", reasonCode: "judge_approved", confidenceBucket: "high" });
    const explanation = row.explanation as unknown as Explanation;
    expect(explanation).toMatchObject({
      policy_id: "refunds", policy_version_id: version.versionId, policy_content_hash: version.contentHash,
      decided_by: "judge", judge: { decision: "approve", confidence_bucket: "high", model: "fake-judge-1" },
    });
    const entry = await ledgerEntry(row.id);
    expect(entry).toMatchObject({
      canonical_version: 3,
      rule_set_hash: version.contentHash,
      matched_rule_ids: [],
      eval_inputs_hash: explanation.inputs_hash,
      eval_trace_hash: explanation.trace_hash,
      classifier_label: "approve",
      classifier_confidence_bucket: "high",
    });
  });

  it("a failing judge sends the request to review with judge_unavailable, never approves", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, judged);
    const row = await settled((await requestClearance(prisma(), call(tenant, { amount: 1, scenario: "server_error" }))).id);
    expect(row).toMatchObject({ status: "pending_review", reasonCode: "judge_unavailable" });
  });

  it("a structured rule's explanation names the rule and the limits checked, with their counts", async () => {
    const tenant = await newTenant({ ledgerCanonicalVersion: 3 });
    await applyPolicy(prisma(), tenant.id, `policy_id: capped
rules:
  - id: capped
    tool: "*"
    effect: allow
    limits:
      - count: 1
        per: agent
        window: 1h
`);
    const ok = await settled((await requestClearance(prisma(), call(tenant, { amount: 1 }))).id);
    expect(ok.status).toBe("approved");
    expect(ok.explanation).toMatchObject({ decided_by: "rule", matched_rule_ids: ["capped"], limits: [{ rule_id: "capped", used: 0, max: 1, exceeded: false }] });
    const over = await settled((await requestClearance(prisma(), call(tenant, { amount: 1 }))).id);
    expect(over.status).toBe("denied");
    expect(over.explanation).toMatchObject({ limits: [{ used: 1, max: 1, exceeded: true }] });
    const entry = await ledgerEntry(over.id);
    expect(entry.matched_rule_ids).toEqual(["capped"]);
    expect(entry.eval_trace_hash).toBe((over.explanation as unknown as Explanation).trace_hash);
    expect(entry.eval_trace_hash).not.toBe((ok.explanation as unknown as Explanation).trace_hash);
  });
});

describe("judge settings", () => {
  it("a tenant's override wins over the environment and its API key is stored sealed", async () => {
    const tenant = await newTenant();
    expect(await judgeConfigFor(prisma(), tenant.id)).toMatchObject({ baseURL: fake.baseURL, model: "fake-judge-1" });
    const shown = await updateJudgeSettings(prisma(), tenant.id, { model: "tenant-model", api_key: "sk-tenant-secret" });
    expect(shown).toEqual({ base_url: null, model: "tenant-model", api_key_set: true, timeout_ms: null });
    const stored = await prisma().judgeSettings.findUniqueOrThrow({ where: { tenantId: tenant.id } });
    expect(stored.apiKeySealed).not.toContain("sk-tenant-secret");
    expect(await judgeConfigFor(prisma(), tenant.id)).toMatchObject({ baseURL: fake.baseURL, model: "tenant-model", apiKey: "sk-tenant-secret" });
  });

  it("a tenant's own base URL passes the outbound-URL rules, needs its own key, and never gets the operator's (issue 19, finding 3)", async () => {
    const plain = await newTenant();
    expect(await judgeConfigFor(prisma(), plain.id)).toMatchObject({ baseURL: fake.baseURL, apiKey: "sk-operator-secret", tenantUrl: false });

    const tenant = await newTenant();
    await expect(updateJudgeSettings(prisma(), tenant.id, { base_url: "http://169.254.169.254/v1", api_key: "sk-own" })).rejects.toMatchObject({ code: "url_refused" });
    await expect(updateJudgeSettings(prisma(), tenant.id, { base_url: "https://judge.example.com/v1" })).rejects.toMatchObject({ code: "judge_api_key_required" });
    expect(await prisma().judgeSettings.findUnique({ where: { tenantId: tenant.id } })).toBeNull();
    // A row saved before the rule held a tenant URL without a key: still never the operator's.
    await prisma().judgeSettings.create({ data: { tenantId: tenant.id, baseUrl: "https://judge.example.com/v1" } });
    expect(await judgeConfigFor(prisma(), tenant.id)).toMatchObject({ baseURL: "https://judge.example.com/v1", apiKey: null, tenantUrl: true });
    await updateJudgeSettings(prisma(), tenant.id, { api_key: "sk-own" });
    expect(await judgeConfigFor(prisma(), tenant.id)).toMatchObject({ apiKey: "sk-own", tenantUrl: true });
  });
});

describe("versions", () => {
  it("every upload is a new immutable version; activation switches back atomically; diff names the changes", async () => {
    const tenant = await newTenant();
    const v1 = await applyPolicy(prisma(), tenant.id, structured(100));
    const v2 = await applyPolicy(prisma(), tenant.id, structured(50));
    const listed = await listVersions(prisma(), tenant.id, "refunds");
    expect(listed.versions.map((v) => [v.id, v.active])).toEqual([[v2.versionId, true], [v1.versionId, false]]);
    expect((await showVersion(prisma(), tenant.id, v1.versionId)).source).toBe(structured(100));

    const diff = await diffVersions(prisma(), tenant.id, v1.versionId, v2.versionId);
    expect(diff.rules.changed.map((c) => c.id)).toEqual(["small"]);
    expect(diff.rules.added).toEqual([]);
    expect(diff.unified_diff).toContain("-    when: args.amount <= 100");
    expect(diff.unified_diff).toContain("+    when: args.amount <= 50");

    await activateVersion(prisma(), tenant.id, v1.versionId);
    const resolved = await resolvePolicy(prisma(), tenant.id, "refunds");
    expect("policy" in resolved && resolved.policy.versionId).toBe(v1.versionId);
    await expect(activateVersion(prisma(), tenant.id, "pv_missing")).rejects.toMatchObject({ code: "policy_version_not_found" });
    const other = await newTenant();
    await expect(showVersion(prisma(), other.id, v1.versionId)).rejects.toMatchObject({ code: "policy_version_not_found" });
  });
});

describe("simulation", () => {
  it("answers each request in order under a draft, the active policy or a version, and stores nothing", async () => {
    const tenant = await newTenant();
    const v1 = await applyPolicy(prisma(), tenant.id, structured(100));
    await applyPolicy(prisma(), tenant.id, structured(10));
    const before = await counts(tenant.id);
    const calls = fake.calls.length;
    const requests = [body({ amount: 5 }), body({ amount: 50 }), body({ amount: 500 })];

    const active = await simulate(prisma(), tenant, simulateBodySchema.parse({ requests }));
    expect(active.results.map((r) => r.status)).toEqual(["approved", "denied", "denied"]);
    const old = await simulate(prisma(), tenant, simulateBodySchema.parse({ requests, policy_version_id: v1.versionId }));
    expect(old.results.map((r) => r.status)).toEqual(["approved", "approved", "denied"]);
    expect(old.results[2]).toMatchObject({ reason_code: "refund_too_large", explanation: { matched_rule_ids: ["large"], rules_evaluated: ["small", "large"] } });
    const draft = await simulate(prisma(), tenant, simulateBodySchema.parse({ requests, policy: judged }));
    expect(draft.results.map((r) => [r.status, r.reason_code])).toEqual([["approved", "judge_approved"], ["approved", "judge_approved"], ["denied", "judge_denied"]]);
    expect(fake.calls.length - calls).toBe(3);

    expect(await counts(tenant.id)).toEqual(before);
  });

  it("refuses a draft with an unknown variable, naming the path", async () => {
    const tenant = await newTenant();
    const bad = "policy_id: p\nrules:\n  - id: r\n    tool: t\n    when: amount < 5\n    effect: allow\n";
    await expect(simulate(prisma(), tenant, simulateBodySchema.parse({ requests: [body({})], policy: bad }))).rejects.toMatchObject({ code: "invalid_policy" });
  });
});

describe("replay", () => {
  it("reports the requests a draft would change, agreement with reviewers, and judge-vs-human agreement", async () => {
    const tenant = await newTenant();
    await applyPolicy(prisma(), tenant.id, `policy_id: refunds
rules:
  - id: small
    tool: stripe_refund
    when: args.amount <= 100
    effect: allow
  - id: check
    tool: stripe_refund
    effect: review
`);
    const ids: Record<number, string> = {};
    for (const amount of [20, 80, 150, 900]) ids[amount] = (await settled((await requestClearance(prisma(), call(tenant, { amount }))).id)).id;
    // Reviewers approve the 150 refund and deny the 900 one.
    const row = (id: string) => prisma().clearanceRequest.findUniqueOrThrow({ where: { id } });
    await decideReview(prisma(), await row(ids[150]!), { approve: true, decidedBy: "operator:ana" });
    await decideReview(prisma(), await row(ids[900]!), { approve: false, decidedBy: "operator:ana" });
    const before = await counts(tenant.id);

    // Draft: small refunds only up to 50; everything else to the judge (approves <= 100, denies above).
    const draft = `policy_id: refunds
rules:
  - id: small
    tool: stripe_refund
    when: args.amount <= 50
    effect: allow
instructions: Refunds up to 100 are allowed. Larger refunds are denied.
`;
    const progress: number[] = [];
    const report = await replay(prisma(), tenant, replayBodySchema.parse({ last: 10, policy: draft }), (done) => progress.push(done));
    expect(report.replayed).toBe(4);
    expect(progress).toEqual([1, 2, 3, 4]);
    // Compared with what the policy decided: 20 and 80 approved → approved (rule, judge); 150 and
    // 900, which it sent to a person, → denied by the judge, whatever the person then decided.
    expect(report.agreed).toBe(2);
    expect(report.agreement_rate).toBe(0.5);
    expect(report.changed).toEqual([
      expect.objectContaining({ request_id: ids[900], was: "pending_review", final_status: "denied", would_be: "denied", decided_by: "operator:ana", reason_code: "judge_denied" }),
      expect.objectContaining({ request_id: ids[150], was: "pending_review", final_status: "approved", would_be: "denied", decided_by: "operator:ana", reason_code: "judge_denied" }),
    ]);
    expect(report.transitions).toEqual({ "pending_review->denied": 2 });
    expect(report.human_decisions).toEqual({ total: 2, agreed: 1, agreement_rate: 0.5 });
    expect(report.judge_vs_human).toEqual({ total: 2, agreed: 1, agreement_rate: 0.5 });
    expect(await counts(tenant.id)).toEqual(before);
  });
});

describe("shadow mode", () => {
  it("a shadow version is evaluated on live traffic and recorded, never enforced; disagreements are listed", async () => {
    const tenant = await newTenant();
    const strict = await applyPolicy(prisma(), tenant.id, structured(10));
    const live = await applyPolicy(prisma(), tenant.id, structured(100));
    await setShadowVersion(prisma(), tenant.id, "refunds", strict.versionId);

    const agree = await settled((await requestClearance(prisma(), call(tenant, { amount: 5 }))).id);
    const differ = await settled((await requestClearance(prisma(), call(tenant, { amount: 50 }))).id);
    // The active version decides: 50 is approved although the shadow would deny it.
    expect([agree.status, differ.status]).toEqual(["approved", "approved"]);
    expect(differ.policyVersionId).toBe(live.versionId);

    const deadline = Date.now() + 5000;
    while ((await prisma().shadowDecision.count({ where: { tenantId: tenant.id } })) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const disagreements = await listShadowDecisions(prisma(), tenant.id, { limit: 10 });
    expect(disagreements).toMatchObject({ total: 2, agreed: 1, agreement_rate: 0.5 });
    expect(disagreements.decisions).toEqual([expect.objectContaining({
      request_id: differ.id, policy_version_id: strict.versionId, shadow_status: "denied", shadow_reason_code: "refund_too_large", live_status: "approved", agrees: false,
    })]);
    expect((await listShadowDecisions(prisma(), tenant.id, { limit: 10, all: true })).decisions).toHaveLength(2);

    await setShadowVersion(prisma(), tenant.id, "refunds", null);
    await settled((await requestClearance(prisma(), call(tenant, { amount: 7 }))).id);
    await new Promise((r) => setTimeout(r, 200));
    expect(await prisma().shadowDecision.count({ where: { tenantId: tenant.id } })).toBe(2);
  });
});
