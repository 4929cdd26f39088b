// The AuthZEN side of issue 22 without a server: the MCP binding's tools/call mapping, the
// Access Evaluations defaults and semantics, and how clearance responses read as decisions.
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { decisionOf } from "@/lib/authzen/decide";
import { decideInTurn, evaluationsOf, mapEvaluations } from "@/lib/authzen/evaluations";
import { clearanceBodyOf } from "@/lib/authzen/map-evaluation";
import { evaluationRequestSchema, evaluationsRequestSchema, type Decision, type EvaluationRequest } from "@/lib/authzen/schemas";
import type { ClearanceResponse } from "@/lib/clearance/schemas";

// The binding's default tools/call request (profiles/authzen-coaz-mcp-binding-1_0.md, "Tools"),
// resolved for its example token, with the call's arguments in the resource's properties.
const toolsCall = (overrides: Partial<EvaluationRequest> = {}): EvaluationRequest => ({
  subject: { type: "identity", id: "alice@example.com" },
  action: { name: "tools/call" },
  resource: { type: "tool", id: "get_customer", properties: { arguments: { id: "cust-12345", case: "case-67890" } } },
  context: { agent: "http://agentprovider.com/agent-app-id" },
  ...overrides,
});

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code, path: error.details?.[0]?.path };
    throw error;
  }
  throw new Error("expected a refusal");
};

describe("clearanceBodyOf (the MCP binding's tools/call mapping)", () => {
  it("maps subject, resource, arguments and the agent; the rest of the context stays the context", () => {
    const body = clearanceBodyOf(toolsCall({ context: { agent: "agent-7", session_id: "s-1", policy_id: "refunds", ticket: 42 } }));
    expect(body).toMatchObject({
      tool_name: "get_customer",
      tool_args: { id: "cust-12345", case: "case-67890" },
      agent_id: "agent-7",
      session_id: "s-1",
      human_principal: "alice@example.com",
      context: { policy_id: "refunds", ticket: 42 },
    });
    expect(body.context).not.toHaveProperty("agent");
  });

  it("takes no arguments as {} and no agent as the protocol's default agent", () => {
    const body = clearanceBodyOf(toolsCall({ resource: { type: "tool", id: "ping" }, context: undefined }));
    expect(body).toMatchObject({ tool_name: "ping", tool_args: {}, agent_id: "default-agent", session_id: "", context: {} });
  });

  const cases = [
    { name: "another MCP method", request: toolsCall({ action: { name: "tools/list" } }), expected: { path: "action.name" } },
    { name: "the spec's can_read example", request: toolsCall({ action: { name: "can_read" } }), expected: { path: "action.name" } },
    { name: "a resource that is not a tool", request: toolsCall({ resource: { type: "account", id: "123" } }), expected: { path: "resource.type" } },
    { name: "an empty tool name", request: toolsCall({ resource: { type: "tool", id: "" } }), expected: { path: "resource.id" } },
    { name: "a tool name past 200 characters", request: toolsCall({ resource: { type: "tool", id: "t".repeat(201) } }), expected: { path: "resource.id" } },
    { name: "arguments that are not an object", request: toolsCall({ resource: { type: "tool", id: "t", properties: { arguments: [1, 2] } } }), expected: { path: "resource.properties.arguments" } },
    { name: "an agent that is not a string", request: toolsCall({ context: { agent: 7 } }), expected: { path: "context.agent" } },
    { name: "a subject id past 500 characters", request: toolsCall({ subject: { type: "identity", id: "a".repeat(501) } }), expected: { path: "subject.id" } },
  ];
  it.each(cases)("refuses $name with 400 unmappable_evaluation naming $expected.path", ({ request, expected }) => {
    expect(refusal(() => clearanceBodyOf(request))).toEqual({ status: 400, code: "unmappable_evaluation", path: expected.path });
  });
});

describe("the request schemas (§6.1, §7.1)", () => {
  it("requires subject, action and resource with their type, id and name, and drops unknown members", () => {
    expect(evaluationRequestSchema.safeParse({ action: { name: "tools/call" }, resource: { type: "tool", id: "x" } }).success).toBe(false);
    expect(evaluationRequestSchema.safeParse(toolsCall({ subject: { type: "identity" } as never })).success).toBe(false);
    const parsed = evaluationRequestSchema.parse({ ...toolsCall(), extension: { anything: true } });
    expect(parsed).not.toHaveProperty("extension");
  });

  it("knows exactly the three semantics, execute_all by default", () => {
    expect(evaluationsRequestSchema.parse({ options: {} }).options?.evaluations_semantic).toBe("execute_all");
    expect(evaluationsRequestSchema.safeParse({ options: { evaluations_semantic: "deny_on_first_deny" } }).success).toBe(true);
    expect(evaluationsRequestSchema.safeParse({ options: { evaluations_semantic: "first_wins" } }).success).toBe(false);
  });
});

describe("evaluationsOf (§7.1.1 default values)", () => {
  const subject = { type: "identity", id: "alice@example.com" };
  const action = { name: "tools/call" };
  const tool = (id: string) => ({ type: "tool", id });

  it("completes each evaluation from the top-level members; an evaluation's own member replaces the default whole", () => {
    const evaluations = evaluationsOf({
      subject, action, context: { agent: "a-1", policy_id: "p" },
      evaluations: [{ resource: tool("one") }, { resource: tool("two"), context: { agent: "a-2" } }],
    });
    expect(evaluations).toEqual([
      { subject, action, resource: tool("one"), context: { agent: "a-1", policy_id: "p" } },
      { subject, action, resource: tool("two"), context: { agent: "a-2" } },
    ]);
  });

  it("reads a request without evaluations (or with none) as one evaluation of its top-level members", () => {
    expect(evaluationsOf({ subject, action, resource: tool("x") })).toEqual([{ subject, action, resource: tool("x"), context: undefined }]);
    expect(evaluationsOf({ subject, action, resource: tool("x"), evaluations: [] })).toHaveLength(1);
  });

  it("refuses with 400 invalid_request an evaluation missing a member that has no default", () => {
    expect(refusal(() => evaluationsOf({ subject, evaluations: [{ action, resource: tool("a") }, { resource: tool("b") }] })))
      .toEqual({ status: 400, code: "invalid_request", path: "evaluations.1.action" });
    expect(refusal(() => evaluationsOf({ subject, action }))).toEqual({ status: 400, code: "invalid_request", path: "resource" });
  });

  it("maps every evaluation before any is decided, naming the one it cannot map", () => {
    const evaluations = evaluationsOf({ subject, action, evaluations: [{ resource: tool("a") }, { resource: { type: "document", id: "b" } }] });
    expect(refusal(() => mapEvaluations(evaluations))).toEqual({ status: 400, code: "unmappable_evaluation", path: "evaluations.1.resource.type" });
  });
});

describe("decideInTurn (§7.1.2.1 evaluations semantics)", () => {
  // true, false, true: the spec's own example of documents 1, 2 and 3.
  const answers = [true, false, true];
  const run = async (semantic: Parameters<typeof decideInTurn>[1]) => {
    const asked: number[] = [];
    const decisions = await decideInTurn([0, 1, 2], semantic, async (i): Promise<Decision> => {
      asked.push(i);
      return { decision: answers[i]! };
    });
    return { decisions: decisions.map((d) => d.decision), asked };
  };

  it("execute_all decides every evaluation, in order", async () => {
    expect(await run("execute_all")).toEqual({ decisions: [true, false, true], asked: [0, 1, 2] });
  });

  it("deny_on_first_deny stops after the first false and decides nothing after it", async () => {
    expect(await run("deny_on_first_deny")).toEqual({ decisions: [true, false], asked: [0, 1] });
  });

  it("permit_on_first_permit stops after the first true", async () => {
    expect(await run("permit_on_first_permit")).toEqual({ decisions: [true], asked: [0] });
  });
});

describe("decisionOf", () => {
  const response = (fields: Partial<ClearanceResponse>): ClearanceResponse => ({
    status: "denied", decision_status: "denied", requires_manual_review: false, reason: "No.", request_id: "req_01kcexample0000000000000000",
    confidence_bucket: "extra_high", minimum_confidence_bucket: "high", policy_version_id: null, policy_content_hash: null, reason_code: "refund_too_large",
    tool_args: {}, args_edited: false, ...fields,
  });

  it("permits only an approval, with its token", () => {
    expect(decisionOf(response({ status: "approved", decision_status: "approved", token: "eyJ.x.y", reason_code: null })))
      .toEqual({ decision: true, context: { request_id: "req_01kcexample0000000000000000", token: "eyJ.x.y" } });
  });

  it("denies with the reason code", () => {
    expect(decisionOf(response({}))).toEqual({ decision: false, context: { request_id: "req_01kcexample0000000000000000", reason_code: "refund_too_large", message: "No." } });
  });

  it("answers a wait as a denial for now, with the status URL and an ARAP-shaped task", () => {
    for (const status of ["pending_review", "processing"] as const) {
      const { decision, context } = decisionOf(response({ status, decision_status: "approved_pending_review", reason_code: "review_required" }));
      expect(decision).toBe(false);
      expect(context).toMatchObject({ reason_code: status, request_id: "req_01kcexample0000000000000000" });
      expect(context!.status_url).toMatch(/\/api\/clearance-status\/req_01kcexample0000000000000000$/);
      expect(context!.task).toEqual({ id: "req_01kcexample0000000000000000", status: "pending", status_endpoint: context!.status_url });
      expect(context).not.toHaveProperty("token");
    }
  });
});
