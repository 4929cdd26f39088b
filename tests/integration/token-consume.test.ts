// @database-kind: both — concurrent consumes of one token: a conditional update that must win exactly once.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

async function approvedToken(tenant: TestTenant): Promise<{ token: string; requestId: string }> {
  const body = await (await tenant.post("/api/clearance", refund(45))).json();
  expect(body.status).toBe("approved");
  return { token: body.token, requestId: body.request_id };
}

const tamper = (token: string) => {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, tool: "wire_transfer" })).toString("base64url")}.${signature}`;
};

describe.each(inject("servers"))("token consumption on the $kind database", (server) => {
  // Each test uses its own tokens, so two tenants (created through the CLI, which is slow) serve them all.
  let tenant: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
  });

  it("consumes a token once; every later presentation is refused, concurrent ones included", async () => {
    const { token, requestId } = await approvedToken(tenant);
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => tenant.post("/api/tokens/consume", { token, consumer: `gw-${i}` })),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const won = await answers.find((res) => res.status === 200)!.json();
    expect(won).toMatchObject({ request_id: requestId, tool: "stripe_refund", execution_status: null });
    const lost = await answers.find((res) => res.status === 409)!.json();
    expect(lost.error.code).toBe("token_already_consumed");
  });

  it("replays its answer to a retry with the same Idempotency-Key", async () => {
    const { token } = await approvedToken(tenant);
    const headers = { "Idempotency-Key": "gw-retry-1" };
    const first = await tenant.post("/api/tokens/consume", { token }, headers);
    const retry = await tenant.post("/api/tokens/consume", { token }, headers);
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(await retry.json()).toEqual(await first.json());
    expect((await tenant.post("/api/tokens/consume", { token })).status).toBe(409);
  });

  it.each([
    { name: "a tampered token", token: (t: string) => tamper(t), status: 422, code: "token_invalid" },
    { name: "not a JWT", token: () => "not-a-jwt", status: 422, code: "token_invalid" },
  ])("refuses $name without consuming it", async ({ token, status, code }) => {
    const issued = await approvedToken(tenant);
    const res = await tenant.post("/api/tokens/consume", { token: token(issued.token) });
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
    expect((await tenant.post("/api/tokens/consume", { token: issued.token })).status).toBe(200);
  });

  it("refuses another tenant's token", async () => {
    const { token } = await approvedToken(tenant);
    const res = await other.post("/api/tokens/consume", { token });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("token_tenant_mismatch");
  });

  it("records the upstream's status once, readable for the request timeline", async () => {
    const { token } = await approvedToken(tenant);
    const { jti } = await (await tenant.post("/api/tokens/consume", { token, consumer: "gw-a" })).json();
    const report = await tenant.post(`/api/tokens/${jti}/execution`, { status: 502 });
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ jti, consumer: "gw-a", execution_status: 502 });
    expect((await tenant.post(`/api/tokens/${jti}/execution`, { status: 502 })).status).toBe(200);
    expect(await (await tenant.call(`/api/tokens/${jti}`)).json()).toMatchObject({ jti, execution_status: 502 });
    const changed = await tenant.post(`/api/tokens/${jti}/execution`, { status: 200 });
    expect(changed.status).toBe(409);
    expect((await changed.json()).error.code).toBe("execution_already_reported");
  });

  it.each([
    { name: "an unconsumed jti", jti: "jti_unknown", body: { status: 200 }, status: 409, code: "token_not_consumed" },
    { name: "a status out of range", jti: "jti_unknown", body: { status: 42 }, status: 422, code: "validation_failed" },
  ])("refuses an execution report for $name", async ({ jti, body, status, code }) => {
    const res = await tenant.post(`/api/tokens/${jti}/execution`, body);
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
  });
});
