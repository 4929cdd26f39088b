// Issue 12's review rules, end to end on the running server: reviewers vote with
// `ledgix review decide --as` (channel cli, through castVote like every other channel),
// the agent polls /clearance-status, and the database shows the votes, deciders and ledger.
// Setup (members, settings) runs the same operator commands in-process; the group commands'
// own output is checked through the CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cli, cliOk } from "../fixtures/cli";
import { connectionOf, type ServerInfo } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const POLICY = `
policy_id: refunds
tools: ["stripe_*"]
rules:
  - id: pair
    tool: stripe_refund
    when: args.amount >= 500 && args.amount < 600
    effect: review
    quorum: 2
  - id: finance-only
    tool: stripe_refund
    when: args.amount >= 600 && args.amount < 700
    effect: review
    reviewers: [finance]
  - id: quick
    tool: stripe_refund
    when: args.amount >= 700 && args.amount < 800
    effect: review
    review_timeout: 3s
  - id: single
    tool: stripe_refund
    effect: review
`;

const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-review-rules-")), "policy.yaml");
fs.writeFileSync(policyFile, POLICY);

async function query<T>(server: ServerInfo, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(connectionOf(server));
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls like an SDK until the request leaves pending_review (a minute at most). */
async function pollUntilDecided(tenant: TestTenant, id: string) {
  for (const until = Date.now() + 60_000; ; await sleep(500)) {
    const status = await (await tenant.call(`/api/clearance-status/${id}`)).json();
    if (status.status !== "pending_review" || Date.now() > until) return status;
  }
}

describe.each(inject("servers"))("review rules on the $kind database", (server) => {
  let tenant: TestTenant;
  const people = { ann: "ann@acme.test", bob: "bob@acme.test", cat: "cat@acme.test", vic: "vic@acme.test" };

  beforeAll(async () => {
    tenant = await createTenant(server, policyFile);
    await asOperator(server, async (run) => {
      for (const [name, email] of Object.entries(people)) await run("member.add", { tenant: tenant.id, email, role: name === "vic" ? "viewer" : "reviewer" });
    });
  });

  const pending = async (amount: number, extra: Record<string, unknown> = {}) => {
    const body = await (await tenant.post("/api/clearance", refund(amount, extra))).json();
    expect(body.status).toBe("pending_review");
    return body.request_id as string;
  };
  const vote = (id: string, as: string, verdict: "--approve" | "--deny") => cli(["review", "decide", id, verdict, "--as", as], server.env);
  const poll = async (id: string) => (await tenant.call(`/api/clearance-status/${id}`)).json();
  const request = async (id: string) =>
    (await query<{ decidedBy: string | null; reasonCode: string | null; reviewDeadline: Date; reviewEscalatedAt: Date | null; createdAt: Date }>(server,
      `SELECT "decidedBy", "reasonCode", "reviewDeadline", "reviewEscalatedAt", "createdAt" FROM "clearance_requests" WHERE "id" = $1`, [id]))[0]!;

  it("a quorum of 2 needs two distinct people; the same person twice is refused; one deny ends it", async () => {
    const id = await pending(550);
    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.ann], server.env)).toBe(`${id} vote recorded; still pending_review`);
    expect((await poll(id)).status).toBe("pending_review");

    const twice = await vote(id, people.ann, "--approve");
    expect(twice).toMatchObject({ code: 1, stderr: `ledgix: ${people.ann} already voted on ${id}; a quorum needs distinct people.\n` });
    expect((await poll(id)).status).toBe("pending_review");

    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.bob, "--reason", "checked the order"], server.env)).toBe(`${id} approved`);
    const approved = await poll(id);
    expect(approved).toMatchObject({ status: "approved", reason_code: "review_approved", reason: "checked the order" });
    expect(approved.token).toMatch(/^ey/);
    expect((await request(id)).decidedBy).toBe(`reviewer:${people.ann},${people.bob} via cli`);
    const votes = await query<{ reviewerEmail: string; approve: boolean; channel: string }>(server,
      `SELECT "reviewerEmail", "approve", "channel" FROM "review_votes" WHERE "requestId" = $1 ORDER BY "createdAt"`, [id]);
    expect(votes).toEqual([{ reviewerEmail: people.ann, approve: true, channel: "cli" }, { reviewerEmail: people.bob, approve: true, channel: "cli" }]);
    // One ledger entry for the decision, none for the individual votes.
    expect(await query(server, `SELECT 1 FROM "ledger_events" WHERE "requestId" = $1`, [id])).toHaveLength(1);
    expect((await vote(id, people.cat, "--approve")).stderr).toBe(`ledgix: Request ${id} is already approved; nothing to decide.\n`);

    const denied = await pending(560);
    expect((await vote(denied, people.ann, "--approve")).code).toBe(0);
    expect(await cliOk(["review", "decide", denied, "--deny", "--as", people.cat, "--reason", "duplicate refund"], server.env)).toBe(`${denied} denied`);
    expect(await poll(denied)).toMatchObject({ status: "denied", reason_code: "review_denied", reason: "duplicate refund" });
    expect((await request(denied)).decidedBy).toBe(`reviewer:${people.cat} via cli`);
  });

  it("four eyes: nobody approves a request attributed to themselves, unless the tenant turns it off", async () => {
    const theirs = await pending(900, { human_principal: people.ann });
    expect(await vote(theirs, people.ann, "--approve")).toMatchObject({ code: 1, stderr: `ledgix: ${people.ann} may not approve a request attributed to themselves; another reviewer must.\n` });
    const ownAgent = await pending(901, { agent_id: people.bob });
    expect((await vote(ownAgent, people.bob, "--approve")).stderr).toMatch(/may not approve a request attributed to themselves/);
    // Someone else may; and the refused votes were never recorded.
    expect(await cliOk(["review", "decide", ownAgent, "--approve", "--as", people.cat], server.env)).toBe(`${ownAgent} approved`);
    expect(await query(server, `SELECT 1 FROM "review_votes" WHERE "requestId" IN ($1, $2) AND "reviewerEmail" IN ($3, $4)`, [theirs, ownAgent, people.ann, people.bob])).toHaveLength(0);

    const other = await createTenant(server, policyFile);
    await asOperator(server, async (run) => {
      await run("member.add", { tenant: other.id, email: people.ann, role: "reviewer" });
      await run("tenant.update", { tenant: other.id, reviewFourEyes: "off" });
    });
    const own = await (await other.post("/api/clearance", refund(900, { human_principal: people.ann }))).json();
    expect(await cliOk(["review", "decide", own.request_id, "--approve", "--as", people.ann], server.env)).toBe(`${own.request_id} approved`);
  });

  it("a rule's reviewer group restricts who votes; a viewer never votes", async () => {
    const id = await pending(650);
    expect((await vote(id, people.ann, "--approve")).stderr).toBe(`ledgix: ${people.ann} is not a reviewer of this tenant in reviewer group finance; the vote is not counted.\n`);
    expect(await cliOk(["member", "group", "create", "finance", "--tenant", tenant.name], server.env)).toBe("created finance");
    await cliOk(["member", "group", "add", "finance", "--tenant", tenant.name, "--email", people.bob], server.env);
    await cliOk(["member", "group", "add", "finance", "--tenant", tenant.name, "--email", people.vic], server.env);
    await cliOk(["member", "group", "add", "finance", "--tenant", tenant.name, "--email", people.ann], server.env);
    expect(await cliOk(["member", "group", "remove", "finance", "--tenant", tenant.name, "--email", people.ann], server.env)).toBe(`removed ${people.ann} from finance`);
    expect(await cliOk(["member", "group", "list", "--tenant", tenant.name], server.env)).toBe(`name\tmembers\nfinance\t${people.bob},${people.vic}`);

    expect((await vote(id, people.ann, "--approve")).stderr).toMatch(/is not a reviewer of this tenant in reviewer group finance/);
    expect((await vote(id, people.vic, "--deny")).stderr).toMatch(/vic@acme.test is not a reviewer/);
    expect((await vote(id, "stranger@acme.test", "--deny")).stderr).toMatch(/stranger@acme.test is not a reviewer/);
    expect(await cliOk(["review", "decide", id, "--approve", "--as", people.bob], server.env)).toBe(`${id} approved`);
    // Outside the rule's group restriction, any reviewer votes; a viewer still does not.
    const open = await pending(950);
    expect((await vote(open, people.vic, "--approve")).stderr).toMatch(/vic@acme.test is not a reviewer of this tenant;/);
  });

  it("a review nobody decides expires as denied with review_expired, as the agent's poll sees it", async () => {
    const id = await pending(750);
    const decidedEarly = await pending(760);
    // Decided before its deadline (the agent cancels it: a CLI start may outlast 3 s on a loaded machine).
    expect((await tenant.post(`/api/reviews/${decidedEarly}/decision`, { approved: false })).status).toBe(200);
    const row = await request(id);
    // The rule's review_timeout (3s), not the tenant's 900 s.
    expect(row.reviewDeadline.getTime() - row.createdAt.getTime()).toBeGreaterThan(2900);
    expect(row.reviewDeadline.getTime() - row.createdAt.getTime()).toBeLessThan(3100);

    const status = await pollUntilDecided(tenant, id);
    expect(status).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "review_expired" });
    expect(status.reason).toMatch(/No reviewer decided within 3 seconds/);
    expect((await request(id)).decidedBy).toBe("system:expiry");
    expect(await query(server, `SELECT 1 FROM "ledger_events" WHERE "requestId" = $1`, [id])).toHaveLength(1);
    // The expiry of the request decided earlier was a no-op.
    expect(await poll(decidedEarly)).toMatchObject({ status: "denied", reason_code: "review_cancelled_by_agent" });
    expect((await vote(id, people.bob, "--approve")).stderr).toBe(`ledgix: Request ${id} is already denied; nothing to decide.\n`);
  });

  it("escalates a review still pending part-way to its deadline, to a second group that may then decide", async () => {
    const other = await createTenant(server, policyFile);
    const lead = `lead-${server.kind}@escalation.test`;
    await asOperator(server, async (run) => {
      await run("member.add", { tenant: other.id, email: lead, role: "reviewer" });
      await run("member.group.create", { tenant: other.id, name: "finance" });
      await run("member.group.create", { tenant: other.id, name: "leads" });
      await run("member.group.add", { tenant: other.id, name: "leads", email: lead });
      await run("tenant.update", { tenant: other.id, reviewTimeoutSeconds: 100, reviewEscalationGroup: "leads", reviewEscalationFraction: 0.03 });
    });
    // The rule names finance, which the lead is not in: only the escalation lets them decide.
    const id = (await (await other.post("/api/clearance", refund(650))).json()).request_id as string;
    const quiet = (await (await tenant.post("/api/clearance", refund(901))).json()).request_id as string; // a tenant without escalation

    let row = await request(id);
    for (const until = Date.now() + 30_000; !row.reviewEscalatedAt && Date.now() < until; row = await request(id)) await sleep(300);
    expect(row.reviewEscalatedAt).not.toBeNull();
    expect(row.reviewEscalatedAt!.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(2900);
    expect(row.reviewEscalatedAt!.getTime()).toBeLessThan(row.reviewDeadline.getTime());
    const listed = JSON.parse(await cliOk(["review", "list", "--tenant", other.name, "--json"], server.env));
    expect(listed).toEqual([expect.objectContaining({ id, reviewEscalatedAt: expect.any(String) })]);
    expect((await request(quiet)).reviewEscalatedAt).toBeNull();
    // Escalation tells people; it never decides.
    expect((await (await other.call(`/api/clearance-status/${id}`)).json()).status).toBe("pending_review");
    // The escalation group got its own review link (the development outbox stands in for Resend)…
    const outbox = path.join(server.env.LEDGIX_DATA_DIR!, "outbox");
    const linksToLead = () => (fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).filter((f) => f.includes(lead)).length;
    for (const until = Date.now() + 30_000; linksToLead() === 0 && Date.now() < until;) await sleep(300);
    expect(linksToLead()).toBe(1);
    // …and its vote now counts.
    expect(await cliOk(["review", "decide", id, "--approve", "--as", lead], server.env)).toBe(`${id} approved`);
  });
});
