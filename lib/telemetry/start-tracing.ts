import { env } from "@/lib/env";

// Loads the OpenTelemetry SDK when, and only when, the operator asked for traces with the
// standard variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT.
// Without them nothing below is imported, and every span of spans.ts is the API's no-op.
// The SDK and the exporter read the other OTEL_* variables themselves (headers, timeout,
// compression, sampler, batch sizes, service name and resource attributes).

/** Whether the standard variables ask for traces. */
export function tracingWanted(e: Record<string, string | undefined> = process.env): boolean {
  const endpoint = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || e.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && e.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true" && e.OTEL_TRACES_EXPORTER?.trim() !== "none";
}

/**
 * Registers the SDK as the process's tracer provider (with W3C trace-context propagation
 * and async context), exporting OTLP over HTTP in batches. Returns the function that
 * flushes and stops it, or null when traces are off.
 */
export async function startTracing(): Promise<(() => Promise<void>) | null> {
  if (!tracingWanted()) return null;
  const { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL } = env();
  const json = (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? OTEL_EXPORTER_OTLP_PROTOCOL) === "http/json";
  const [{ NodeTracerProvider, BatchSpanProcessor }, { detectResources, envDetector, resourceFromAttributes }, { OTLPTraceExporter }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/resources"),
    json ? import("@opentelemetry/exporter-trace-otlp-http") : import("@opentelemetry/exporter-trace-otlp-proto"),
  ]);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the default name.
  const resource = resourceFromAttributes({ "service.name": "ledgix" }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register();
  return () => provider.shutdown();
}
