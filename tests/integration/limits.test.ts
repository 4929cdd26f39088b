// @database-kind: both — concurrent requests racing for a limit: row locks and transaction isolation.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { createTenant } from "../fixtures/tenant";

const policy = `
policy_id: payouts
rules:
  - id: payout
    tool: payout
    effect: allow
    limits:
      - count: 3
        per: agent
        window: 1h
      - sum: args.amount
        max: 100
        per: tenant
        window: 1d
    limit_reason_code: spend_cap_exceeded
`;

function policyFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-limits-")), "payouts.yaml");
  fs.writeFileSync(file, policy);
  return file;
}

const payout = (amount: number, agent: string) => ({
  tool_name: "payout",
  tool_args: { amount },
  agent_id: agent,
  context: { policy_id: "payouts" },
});

describe.each(inject("servers"))("rule limits on the $kind database", (server) => {
  it("never lets concurrent requests take more than the limit", async () => {
    const tenant = await createTenant(server, policyFile());
    // Room for the mint below under the token allowance: the rule's limit is what refuses it.
    await asOperator(server, (run) => run("tenant.update", { tenant: tenant.id, tokenMaxPerApproval: 2 }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => tenant.post("/api/clearance", payout(1, "racer")).then((r) => r.json())));
    const approved = answers.filter((a) => a.status === "approved");
    const denied = answers.filter((a) => a.status === "denied");
    expect(approved).toHaveLength(3);
    expect(denied).toHaveLength(7);
    for (const answer of denied) {
      expect(answer.reason_code).toBe("spend_cap_exceeded");
      expect(answer.reason).toMatch(/at most 3 approved requests per agent in 1h \(3 so far\)/);
    }
    // Counted per agent: another agent still has its own three.
    expect((await (await tenant.post("/api/clearance", payout(1, "other"))).json()).status).toBe("approved");

    // A cached approval cannot be re-minted past the limit either.
    const mint = await tenant.post("/api/mint-token", {
      original_request_id: approved[0].request_id,
      tool_name: "payout",
      tool_args: { amount: 1 },
      agent_id: "racer",
      session_id: "",
    });
    expect(mint.status).toBe(409);
    expect((await mint.json()).error.code).toBe("limit_exceeded");
  });

  it("sums an argument over approved requests only", async () => {
    const tenant = await createTenant(server, policyFile());
    const first = await (await tenant.post("/api/clearance", payout(60, "a"))).json();
    expect(first.status).toBe("approved");
    const second = await (await tenant.post("/api/clearance", payout(50, "b"))).json();
    expect(second).toMatchObject({ status: "denied", reason_code: "spend_cap_exceeded" });
    expect(second.reason).toMatch(/args.amount may total at most 100 per tenant in 1d \(60 so far, this request 50\)/);
    // The denied 50 did not count: 40 more still fit.
    expect((await (await tenant.post("/api/clearance", payout(40, "b"))).json()).status).toBe("approved");
  });

  it("sends a request whose limit cannot be computed to a human", async () => {
    const tenant = await createTenant(server, policyFile());
    const answer = await (await tenant.post("/api/clearance", { ...payout(0, "a"), tool_args: { amount: "a lot" } })).json();
    expect(answer).toMatchObject({ status: "pending_review", reason_code: "policy_evaluation_error" });
  });
});
