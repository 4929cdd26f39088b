// The SDK continues its caller's trace: the active OpenTelemetry span's W3C trace context goes
// to the vault with each call, or a context given explicitly (a gateway's caller's).
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { context, propagation, trace, TraceFlags } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { LedgixClient } from "../../src/client";
import { traceContextOf } from "../../src/trace-context";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";

let vault: FakeVault;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  // What an application's OpenTelemetry SDK registers.
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});
beforeEach(async () => {
  vault = await startFakeVault();
});
afterEach(() => vault.close());

const client = () => new LedgixClient({ vaultUrl: vault.url, vaultApiKey: "lgx_test", retryBaseDelay: 1 });
const request = { toolName: "stripe_refund", toolArgs: { amount: 45 } };
const clearanceHeaders = () => vault.requests.filter((r) => r.path.endsWith("/request-clearance")).map((r) => r.headers);

describe("trace context on vault calls", () => {
  it("carries the active span's traceparent", async () => {
    const span = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: TraceFlags.SAMPLED };
    await context.with(trace.setSpanContext(context.active(), span), () => client().requestClearance(request));
    expect(clearanceHeaders()[0]!.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
  });

  it("sends none without an active span", async () => {
    await client().requestClearance(request);
    expect(clearanceHeaders()[0]!.traceparent).toBeUndefined();
  });

  it("prefers a context given explicitly, and ignores a malformed one", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await client().requestClearance({ ...request, traceContext: { traceparent, tracestate: "v=1" } });
    await client().requestClearance({ ...request, traceContext: { traceparent: "not-a-traceparent" } });
    expect(clearanceHeaders().map((h) => [h.traceparent, h.tracestate])).toEqual([[traceparent, "v=1"], [undefined, undefined]]);
    expect(traceContextOf({ traceparent: 42 })).toEqual({});
  });
});
