// Traces cost nothing unless the operator asks for them: without an OTLP endpoint in the
// standard variables the SDK is not loaded and every span is the API's non-recording no-op.
import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { startTracing, tracingWanted } from "@/lib/telemetry/start-tracing";
import { inSpan } from "@/lib/telemetry/spans";

describe("tracing is on only when an OTLP endpoint is set", () => {
  it.each([
    { name: "nothing set", env: {}, wanted: false },
    { name: "an endpoint for every signal", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, wanted: true },
    { name: "an endpoint for traces", env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }, wanted: true },
    { name: "the SDK disabled", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }, wanted: false },
    { name: "no trace exporter", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" }, wanted: false },
    { name: "only a service name", env: { OTEL_SERVICE_NAME: "vault" }, wanted: false },
  ])("$name", ({ env, wanted }) => {
    expect(tracingWanted(env)).toBe(wanted);
  });

  it("with nothing set, registers no SDK: spans do not record", async () => {
    for (const name of Object.keys(process.env)) if (name.startsWith("OTEL_")) delete process.env[name];
    expect(await startTracing()).toBeNull();
    await inSpan("probe", {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(trace.getActiveSpan()).toBeUndefined();
    });
  });
});
