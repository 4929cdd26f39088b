// Issue 22's OpenTelemetry traces, against a local OTLP/HTTP receiver that decodes the spans:
// the server started with the standard OTEL_* variables exports one span per clearance
// request with the GenAI attributes, children for the policy evaluation, the judge call, the
// store statement and a review's wait, one per job run, all under an incoming traceparent.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeJudge, type FakeJudge } from "../fixtures/fake-judge";
import { fakeOtlp, type FakeOtlp, type ReceivedSpan } from "../fixtures/fake-otlp";
import { startServer, type RunningServer } from "../fixtures/server";
import { ALL_SCOPES, createTenant, refund, type TestTenant } from "../fixtures/tenant";

let otlp: FakeOtlp;
let judge: FakeJudge;
let server: RunningServer;
let tenant: TestTenant;

const KIND = { internal: 1, server: 2, client: 3, consumer: 5 };

beforeAll(async () => {
  otlp = await fakeOtlp();
  judge = await startFakeJudge();
  server = await startServer(undefined, {
    // What an operator sets to send traces to a collector; the JSON encoding so the receiver reads it.
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    LEDGIX_JUDGE_BASE_URL: judge.baseURL,
    LEDGIX_JUDGE_MODEL: "fake-judge-1",
    LEDGIX_JUDGE_API_KEY: "judge-key",
    LEDGIX_AUDIT_FILE: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-trace-")), "audit.jsonl"),
  });
  tenant = await createTenant(server, undefined, ALL_SCOPES);
});

afterAll(async () => {
  await server?.stop();
  await otlp?.close();
  await judge?.close();
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** The span's ancestors in the received spans, nearest first. */
function ancestors(span: ReceivedSpan): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let at = span; ;) {
    const parent = otlp.spans.find((s) => s.spanId === at.parentSpanId && s.traceId === at.traceId);
    if (!parent) return chain;
    chain.push(parent);
    at = parent;
  }
}

const childrenOf = (span: ReceivedSpan) => otlp.spans.filter((s) => s.parentSpanId === span.spanId && s.traceId === span.traceId);

describe("OpenTelemetry traces", () => {
  it("one span per clearance request under the caller's traceparent, with the GenAI attributes and the decision", async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const res = await tenant.post("/api/clearance", refund(20), { traceparent: `00-${traceId}-${callerSpan}-01` });
    const body = await res.json();
    expect(body.status).toBe("approved");

    const clearance = await otlp.waitFor((s) => s.traceId === traceId && s.name === "apply_guardrail stripe_refund");
    expect(clearance.attributes).toMatchObject({
      "gen_ai.operation.name": "apply_guardrail",
      "gen_ai.security.target.type": "tool_call",
      "gen_ai.tool.name": "stripe_refund",
      "gen_ai.agent.id": "agent-refunds",
      "gen_ai.conversation.id": "sess-1",
      "ledgix.tenant.id": tenant.id,
      "ledgix.request.id": body.request_id,
      "ledgix.clearance.status": "approved",
      "gen_ai.security.decision.type": "allow",
      "gen_ai.security.policy.id": "refunds",
      "gen_ai.security.policy.version": expect.stringMatching(/^pv_/),
      "ledgix.policy.rule_id": "refund-small",
    });
    expect(clearance.resource["service.name"]).toBe("ledgix");
    // The caller's span is the parent of the server's part of the trace: of the HTTP server
    // span Next.js opens for the request, whose descendant the clearance span is.
    const server = await otlp.waitFor((s) => s.traceId === traceId && s.parentSpanId === callerSpan);
    expect(server.kind).toBe(KIND.server);
    await otlp.waitFor(() => ancestors(clearance).some((s) => s.spanId === server.spanId));

    const evaluation = await otlp.waitFor((s) => s.traceId === traceId && s.name === "evaluate_policy refunds");
    expect(evaluation.parentSpanId).toBe(clearance.spanId);
    expect(evaluation.attributes).toMatchObject({ "ledgix.policy.effect": "allow", "ledgix.policy.rule_id": "refund-small" });
    const store = await otlp.waitFor((s) => s.traceId === traceId && s.name === "store_decision");
    expect(store.parentSpanId).toBe(clearance.spanId);
    expect(store.attributes).toMatchObject({ "db.system.name": "postgresql", "db.operation.name": "INSERT", "ledgix.clearance.status": "approved" });
  }, 30_000);

  it("a denial carries its reason code; a judged request has the judge's chat span under the evaluation", async () => {
    const traceId = hex(16);
    await tenant.post("/api/clearance", refund(5000), { traceparent: `00-${traceId}-${hex(8)}-01` });
    const denied = await otlp.waitFor((s) => s.traceId === traceId && s.name.startsWith("apply_guardrail"));
    expect(denied.attributes).toMatchObject({ "ledgix.clearance.status": "denied", "gen_ai.security.decision.type": "deny", "gen_ai.security.decision.reason": "refund_too_large" });

    expect((await tenant.post("/api/register-policy", { policy_id: "judged", rules: ["Refunds up to 100 are allowed."] })).status).toBe(201);
    const judgedTrace = hex(16);
    const res = await tenant.post("/api/clearance", { ...refund(7), context: { policy_id: "judged" } }, { traceparent: `00-${judgedTrace}-${hex(8)}-01` });
    expect((await res.json()).reason_code).toBe("judge_approved");
    const chat = await otlp.waitFor((s) => s.traceId === judgedTrace && s.name === "chat fake-judge-1");
    expect(chat.kind).toBe(KIND.client);
    expect(chat.attributes).toMatchObject({ "gen_ai.operation.name": "chat", "gen_ai.request.model": "fake-judge-1", "server.address": "127.0.0.1" });
    // Parents end after their children, so they may arrive in a later export.
    const evaluation = await otlp.waitFor((s) => s.spanId === chat.parentSpanId);
    expect(evaluation.name).toBe("evaluate_policy judged");
    expect((await otlp.waitFor((s) => s.spanId === evaluation.parentSpanId)).name).toBe("apply_guardrail stripe_refund");
  }, 30_000);

  it("a review's wait is a span of the trace that ends it, and job runs are consumer spans", async () => {
    const res = await tenant.post("/api/clearance", refund(450));
    const { request_id: requestId, status } = await res.json();
    expect(status).toBe("pending_review");
    const pending = await otlp.waitFor((s) => s.name.startsWith("apply_guardrail") && s.attributes["ledgix.request.id"] === requestId);
    expect(pending.attributes["ledgix.clearance.status"]).toBe("pending_review");
    expect(pending.attributes["gen_ai.security.decision.type"]).toBeUndefined();

    // The agent withdraws it: the wait ends in that request's trace.
    const cancelTrace = hex(16);
    const cancel = await tenant.post(`/api/reviews/${requestId}/decision`, { approved: false, review_reason: "no longer needed" }, { traceparent: `00-${cancelTrace}-${hex(8)}-01` });
    expect(cancel.status).toBe(200);
    const wait = await otlp.waitFor((s) => s.name === "review_wait" && s.attributes["ledgix.request.id"] === requestId);
    expect(wait.traceId).toBe(cancelTrace);
    expect(wait.attributes).toMatchObject({ "ledgix.clearance.status": "denied", "gen_ai.tool.name": "stripe_refund" });

    // The pending review's notification went through the job queue.
    const job = await otlp.waitFor((s) => s.name === "process notify:event");
    expect(job.kind).toBe(KIND.consumer);
    expect(job.attributes).toMatchObject({ "messaging.system": "graphile_worker", "messaging.operation.type": "process", "messaging.destination.name": "notify:event" });
    // So did the audit stream's delivery to its file.
    const audit = await otlp.waitFor((s) => s.name === "process audit:deliver" && Number(s.attributes["ledgix.audit.events"]) > 0);
    expect(audit.attributes).toMatchObject({ "ledgix.audit.sink": "file", "messaging.destination.name": "audit:deliver" });
    expect(otlp.contentTypes.every((type) => type.startsWith("application/json"))).toBe(true);
    expect(childrenOf(pending).map((s) => s.name)).toContain("store_decision");
  }, 30_000);
});
