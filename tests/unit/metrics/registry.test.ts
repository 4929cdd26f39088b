// The in-process half of the metrics (issue 22): what a decision, a refusal and a failed delivery
// add, in the text format Prometheus reads (checked by the tests' strict parser), one registry
// per process however often the module is loaded; and the scrape token's comparison.
import { describe, expect, it, vi } from "vitest";
import { parsePrometheusText } from "../../fixtures/prometheus-text";
import { isMetricsToken } from "@/lib/metrics/route";
import { metrics, recordDecision, recordDeliveryFailure, recordOverload } from "@/lib/metrics/registry";

const read = async (name: string) => parsePrometheusText(await metrics().registry.getSingleMetricAsString(name));

describe("the metrics registry", () => {
  it("counts decisions by status and reason code, and times them from the request's arrival", async () => {
    const arrived = new Date(Date.now() - 3000);
    recordDecision({ status: "denied", reasonCode: "refund_too_large", createdAt: arrived }, false);
    recordDecision({ status: "approved", reasonCode: null, createdAt: arrived }, false);
    recordDecision({ status: "approved", reasonCode: "review_approved", createdAt: new Date(Date.now() - 120_000) }, true);

    const decisions = await read("ledgix_decisions_total");
    expect(decisions.value("ledgix_decisions_total", { status: "denied", reason_code: "refund_too_large" })).toBe(1);
    expect(decisions.value("ledgix_decisions_total", { status: "approved", reason_code: "" })).toBe(1);
    const latency = await read("ledgix_decision_duration_seconds");
    expect(latency.types.get("ledgix_decision_duration_seconds")).toBe("histogram");
    expect(latency.value("ledgix_decision_duration_seconds_count", { status: "approved" })).toBe(1);
    expect(latency.value("ledgix_decision_duration_seconds_bucket", { status: "approved", le: "2.5" })).toBe(0);
    expect(latency.value("ledgix_decision_duration_seconds_bucket", { status: "approved", le: "5" })).toBe(1);
    // A review's end is timed apart: minutes, not milliseconds.
    const review = await read("ledgix_review_duration_seconds");
    expect(review.value("ledgix_review_duration_seconds_bucket", { status: "approved", le: "60" })).toBe(0);
    expect(review.value("ledgix_review_duration_seconds_bucket", { status: "approved", le: "300" })).toBe(1);
  });

  it("counts overload refusals and failed deliveries by channel", async () => {
    recordOverload();
    recordOverload();
    recordDeliveryFailure("webhook", 0);
    recordDeliveryFailure("slack");
    expect((await read("ledgix_overload_rejections_total")).value("ledgix_overload_rejections_total")).toBe(2);
    const deliveries = await read("ledgix_delivery_failures_total");
    expect(deliveries.value("ledgix_delivery_failures_total", { channel: "webhook" })).toBe(0);
    expect(deliveries.value("ledgix_delivery_failures_total", { channel: "slack" })).toBe(1);
  });

  it("keeps one registry per process, however many copies of the module load", async () => {
    const first = metrics();
    vi.resetModules();
    const copy = await import("@/lib/metrics/registry");
    expect(copy.metrics()).toBe(first);
  });
});

describe("isMetricsToken", () => {
  it("accepts exactly the token", () => {
    const token = "metrics-token-0123456789abcdef";
    expect(isMetricsToken(token, token)).toBe(true);
    for (const presented of ["", `${token}x`, token.slice(0, -1), token.toUpperCase()]) expect(isMetricsToken(presented, token)).toBe(false);
  });
});
