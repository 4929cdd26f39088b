// Edit, then approve (issue 21), on the running server: reviewers edit a pending call with
// `ledgix review decide --approve --as <email> --args '<json>'` (channel cli, through castVote
// like the dashboard and the email page), the agent polls /clearance-status, and the token,
// the ledger entry and a mint bind the edited arguments, never the ones first asked for.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { toolArgsHash } from "@/lib/clearance/args-hash";
import { verifyBundle } from "@/sdk/typescript/src/ledger/verify";
import { asOperator } from "../fixtures/admin";
import { cli, cliOk } from "../fixtures/cli";
import { bundleOf } from "../fixtures/ledger";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const POLICY = `
policy_id: refunds
tools: ["stripe_*"]
rules:
  - id: never-huge
    tool: stripe_refund
    when: args.amount > 5000
    effect: deny
    reason: Refunds above 5,000 are never made
  - id: small
    tool: stripe_refund
    when: args.amount <= 100
    effect: allow
  - id: locked
    tool: stripe_refund
    when: args.amount >= 900 && args.amount < 1000
    effect: review
    editable: false
  - id: amount-only
    tool: stripe_refund
    when: args.amount >= 800 && args.amount < 900
    effect: review
    editable: [amount]
  - id: finance
    tool: stripe_refund
    when: args.amount >= 1500 && args.amount < 2000
    effect: review
    reviewers: [finance]
  - id: pair
    tool: stripe_refund
    when: args.amount >= 2000
    effect: review
    quorum: 2
  - id: single
    tool: stripe_refund
    effect: review
`;

const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-edit-")), "policy.yaml");
fs.writeFileSync(policyFile, POLICY);

describe.each(inject("servers"))("edit, then approve on the $kind database", (server) => {
  let tenant: TestTenant;
  const people = { ann: "ann@edit.test", bob: "bob@edit.test", cat: "cat@edit.test", vic: "vic@edit.test" };

  beforeAll(async () => {
    tenant = await createTenant(server, policyFile);
    await asOperator(server, async (run) => {
      for (const [name, email] of Object.entries(people)) await run("member.add", { tenant: tenant.id, email, role: name === "vic" ? "viewer" : "reviewer" });
      // Room for a mint beside the poll's token.
      await run("tenant.update", { tenant: tenant.id, tokenMaxPerApproval: 2 });
    });
  });

  const pending = async (amount: number) => {
    const body = await (await tenant.post("/api/clearance", refund(amount, { tool_args: { amount, currency: "USD", memo: "order 7" } }))).json();
    expect(body).toMatchObject({ status: "pending_review", args_edited: false, tool_args: { amount, currency: "USD", memo: "order 7" } });
    return body.request_id as string;
  };
  const edit = (id: string, as: string, args: unknown, extra: string[] = []) =>
    cli(["review", "decide", id, "--approve", "--as", as, "--args", JSON.stringify(args), ...extra], server.env);
  const poll = async (id: string) => (await tenant.call(`/api/clearance-status/${id}`)).json();
  const refused = async (id: string, result: Promise<{ code: number; stderr: string }>, message: RegExp) => {
    const { code, stderr } = await result;
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(await poll(id)).toMatchObject({ status: "pending_review", args_edited: false });
  };

  it("an edit to a smaller amount is approved: the answer, the token, a mint and the ledger entry carry the edited call", async () => {
    const id = await pending(500);
    const smaller = { amount: 80, currency: "USD", memo: "order 7, partial" };
    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.ann, "--args", JSON.stringify(smaller)], server.env)).toBe(`${id} approved`);

    const status = await poll(id);
    expect(status).toMatchObject({ status: "approved", args_edited: true, tool_args: smaller, reason: "Approved by a reviewer, with edited arguments." });
    const claims = decodeJwt(status.token);
    expect(claims.tool_args_hash).toBe(toolArgsHash(smaller));
    expect(claims.tool_args_hash).not.toBe(toolArgsHash({ amount: 500, currency: "USD", memo: "order 7" }));

    // A mint re-uses the approval for the edited call only.
    const mint = (args: unknown) => tenant.post("/api/mint-token", { original_request_id: id, tool_name: "stripe_refund", tool_args: args, agent_id: "agent-refunds", session_id: "sess-1" });
    const asAsked = await mint({ amount: 500, currency: "USD", memo: "order 7" });
    expect(asAsked.status).toBe(409);
    expect((await asAsked.json()).error.code).toBe("tool_args_mismatch");
    const minted = await mint(smaller);
    expect(minted.status, await minted.clone().text()).toBe(200);
    expect(decodeJwt((await minted.json()).token).tool_args_hash).toBe(toolArgsHash(smaller));

    // The entry keeps what was asked (tool_args, intent_hash) and records what was approved; it verifies.
    const bundle = await bundleOf(tenant, id);
    expect(bundle.event).toMatchObject({ tool_args: { amount: 500 }, approved: true, approved_args_hash: toolArgsHash(smaller) });
    const verified = verifyBundle(bundle);
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
    const tampered = verifyBundle({ ...bundle, event: { ...bundle.event, approved_args_hash: toolArgsHash({ amount: 500 }) } });
    expect(tampered.ok).toBe(false);

    // An approval without an edit records no such member.
    const plain = await pending(400);
    await cliOk(["review", "decide", plain, "--approve", "--as", people.bob], server.env);
    expect((await poll(plain)).args_edited).toBe(false);
    expect((await bundleOf(tenant, plain)).event).not.toHaveProperty("approved_args_hash");
  });

  it("refuses an edit the policy denies, with the rule's reason, and records no vote", async () => {
    const id = await pending(500);
    await refused(id, edit(id, people.ann, { amount: 9000, currency: "USD", memo: "order 7" }), /The policy denies the edited call: Refunds above 5,000 are never made/);
    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.ann], server.env)).toBe(`${id} approved`);
  });

  it("refuses an edit of a field the rule keeps, or of any field when the rule says editable: false", async () => {
    const some = await pending(850);
    await refused(some, edit(some, people.ann, { amount: 850, currency: "EUR", memo: "order 7" }), /Rule amount-only lets reviewers edit only amount; not currency/);
    expect(await cliOk(["review", "decide", some, "--approve", "--as", people.ann, "--args", JSON.stringify({ amount: 810, currency: "USD", memo: "order 7" })], server.env)).toBe(`${some} approved`);
    expect((await poll(some)).tool_args.amount).toBe(810);

    const none = await pending(950);
    await refused(none, edit(none, people.ann, { amount: 90, currency: "USD", memo: "order 7" }), /Rule locked does not let reviewers edit the arguments/);
  });

  it("the tool never changes: there is no way to name another, and the arguments must be a JSON object", async () => {
    const id = await pending(500);
    await refused(id, cli(["review", "decide", id, "--approve", "--as", people.ann, "--tool", "stripe_payout"], server.env), /unknown option '--tool'/);
    await refused(id, edit(id, people.ann, [1, 2]), /expected an object/);
    await refused(id, cli(["review", "decide", id, "--approve", "--as", people.ann, "--args", "{\"amount\": 1, \"amount\": 2}"], server.env), /gives the member "amount" more than once/);
    await refused(id, cli(["review", "decide", id, "--deny", "--as", people.ann, "--reason", "no", "--args", "{}"], server.env), /Only an approval edits the arguments/);
    // An operator's break-glass decision is not a reviewer's vote: it cannot edit.
    await refused(id, cli(["review", "decide", id, "--approve", "--args", "{}"], server.env), /--args is a reviewer's edit: pass it with --as/);
  });

  it("refuses an edit by someone who may not review it, or one that would need other reviewers or more approvals", async () => {
    const id = await pending(500);
    await refused(id, edit(id, people.vic, { amount: 90, currency: "USD", memo: "order 7" }), /vic@edit.test is not a reviewer/);
    await refused(id, edit(id, people.ann, { amount: 1600, currency: "USD", memo: "order 7" }), /must be reviewed by finance \(rule finance\)/);
    await refused(id, edit(id, people.ann, { amount: 3000, currency: "USD", memo: "order 7" }), /needs 2 approvals \(rule pair\); this review has 1/);
  });

  it("a quorum counts approvals of the arguments up for approval: an edit starts the count again", async () => {
    const id = await pending(2500);
    const smaller = { amount: 2200, currency: "USD", memo: "order 7" };
    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.ann], server.env)).toBe(`${id} vote recorded; still pending_review`);
    // Bob's edit replaces what Ann approved: her vote no longer counts for it.
    expect((await edit(id, people.bob, smaller)).stdout.trim()).toBe(`${id} vote recorded; still pending_review`);
    expect(await poll(id)).toMatchObject({ status: "pending_review", args_edited: true, tool_args: smaller });
    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.cat], server.env)).toBe(`${id} approved`);
    const status = await poll(id);
    expect(status).toMatchObject({ status: "approved", args_edited: true, tool_args: smaller });
    expect(decodeJwt(status.token).tool_args_hash).toBe(toolArgsHash(smaller));
  });
});
