// Issue 22: GET /api/metrics, scraped the way Prometheus does and read with a Prometheus
// text-format parser, moves with real traffic: clearance decisions and their latency, a review's
// end, the overload 429s, a failing webhook's deliveries and jobs, pending reviews, the ledger.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { fakeHttp, type FakeHttp } from "../fixtures/fake-http";
import { FAST_LEDGER } from "../fixtures/ledger";
import { parsePrometheusText } from "../fixtures/prometheus-text";
import { startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const TOKEN = "metrics-token-0123456789abcdef";

let server: RunningServer;
let tenant: TestTenant;
let receiver: FakeHttp;

beforeAll(async () => {
  // Two evaluations in flight at most, so a burst meets the overload watermark; loopback
  // webhooks allowed, for the failing receiver below.
  server = await startServer(undefined, { ...FAST_LEDGER, LEDGIX_METRICS_TOKEN: TOKEN, LEDGIX_MAX_INFLIGHT_CLEARANCES: "2", LEDGIX_ALLOW_PRIVATE_URLS: "true" });
  tenant = await createTenant(server);
  receiver = await fakeHttp(() => ({ status: 503 }));
});

afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

type Labels = Record<string, string>;

const scrape = (headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) => fetch(`${server.url}/api/metrics`, { headers });

/** One scrape, read strictly: a sample's value by name and labels (0 when it has no such sample). */
async function sample() {
  const res = await scrape();
  expect(res.status).toBe(200);
  const { value } = parsePrometheusText(await res.text());
  return value;
}

/** Scrapes until `check` holds (gauges read from the database, work done by background jobs). */
async function eventually(check: (value: Awaited<ReturnType<typeof sample>>) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await sample();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error("the metrics did not get there in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("GET /api/metrics", () => {
  it("answers 404 while LEDGIX_METRICS_TOKEN is unset", async () => {
    const [shared] = inject("servers");
    const res = await fetch(`${shared!.url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });

  it("wants exactly the token as a bearer token", async () => {
    const wrong: Record<string, string>[] = [{}, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { "X-Vault-API-Key": tenant.key }, { Authorization: TOKEN }];
    for (const headers of wrong) {
      const res = await scrape(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect((await res.json()).error.code).toBe("unauthenticated");
    }
    const ok = await scrape();
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("shows what start-up and the database know before any traffic, in one registry", async () => {
    const value = await sample();
    // Set by the server's start-up code, read by the route: one registry per process.
    expect(value("ledgix_delivery_failures_total", { channel: "webhook" })).toBe(0);
    expect(value("ledgix_job_queue_depth", { task: "webhook:deliver" })).toBe(0);
    expect(value("ledgix_pending_reviews")).toBe(0);
    expect(value("ledgix_oldest_pending_review_age_seconds")).toBe(0);
    expect(value("process_cpu_seconds_total")).toBeGreaterThan(0);
  });

  it("counts decisions by status and reason code, their latency, pending reviews and the ledger", async () => {
    const before = await sample();
    const approved = await (await tenant.post("/api/clearance", refund(45))).json();
    const denied = await (await tenant.post("/api/clearance", refund(5000))).json();
    const pending = await (await tenant.post("/api/clearance", refund(500))).json();
    expect([approved.status, denied.status, pending.status]).toEqual(["approved", "denied", "pending_review"]);

    const after = await sample();
    const delta = (name: string, labels: Labels = {}) => after(name, labels) - before(name, labels);
    expect(delta("ledgix_decisions_total", { status: "approved", reason_code: "" })).toBe(1);
    expect(delta("ledgix_decisions_total", { status: "denied", reason_code: "refund_too_large" })).toBe(1);
    expect(delta("ledgix_decisions_total", { status: "pending_review", reason_code: "review_required" })).toBe(1);
    for (const status of ["approved", "denied", "pending_review"]) expect(delta("ledgix_decision_duration_seconds_count", { status })).toBe(1);
    expect(after("ledgix_pending_reviews")).toBe(1);
    expect(after("ledgix_job_queue_scheduled", { task: "review:expire" })).toBeGreaterThanOrEqual(1);

    // The agent cancels its pending request: the review's end, with its own duration.
    const cancel = await tenant.post(`/api/reviews/${pending.request_id}/decision`, { approved: false });
    expect(cancel.status).toBe(200);
    const ended = await sample();
    expect(ended("ledgix_decisions_total", { status: "denied", reason_code: "review_cancelled_by_agent" }) - before("ledgix_decisions_total", { status: "denied", reason_code: "review_cancelled_by_agent" })).toBe(1);
    expect(ended("ledgix_review_duration_seconds_count", { status: "denied" }) - before("ledgix_review_duration_seconds_count", { status: "denied" })).toBe(1);
    expect(ended("ledgix_pending_reviews")).toBe(0);

    // Three terminal decisions, each one ledger entry, all placed by the sequencer soon.
    const settled = await eventually((v) => v("ledgix_ledger_entries") === before("ledgix_ledger_entries") + 3 && v("ledgix_sequencer_lag_entries") === 0);
    expect(settled("ledgix_sequencer_lag_seconds")).toBe(0);
  });

  it("counts the overload 429s", async () => {
    const before = await sample();
    let refused = 0;
    for (let burst = 0; burst < 5 && refused === 0; burst++) {
      const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await tenant.post("/api/clearance", refund(10 + i))).json()));
      refused += answers.filter((answer) => answer.error?.code === "overloaded").length;
    }
    expect(refused).toBeGreaterThan(0);
    expect((await sample())("ledgix_overload_rejections_total") - before("ledgix_overload_rejections_total")).toBe(refused);
  });

  it("counts a failing webhook's delivery attempts by channel, and its job retrying in the queue", async () => {
    await cliOk(["webhook", "add", "--tenant", tenant.name, "--url", `${receiver.url}/hook`, "--event", "clearance.denied", "--json"], server.env);
    const before = await sample();
    expect((await tenant.post("/api/clearance", refund(7000))).status).toBe(200);
    await receiver.waitFor((r) => r.path === "/hook");
    // The worker (the server's own module graph, not the route's) counts the failure.
    const after = await eventually((v) => v("ledgix_delivery_failures_total", { channel: "webhook" }) > before("ledgix_delivery_failures_total", { channel: "webhook" }) &&
      v("ledgix_job_queue_retrying", { task: "webhook:deliver" }) >= 1);
    expect(after("ledgix_delivery_failures_total", { channel: "email" })).toBe(0);
  });
});
