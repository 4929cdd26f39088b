// W3C trace context on the calls to the vault, so a vault with tracing on continues the
// caller's trace. From the application's OpenTelemetry (the optional `@opentelemetry/api`
// peer, loaded on first use; its active span), or given explicitly: a gateway passes on the
// context of the call it guards (an HTTP request's headers, an MCP request's `_meta`).

/** The W3C Trace Context fields: `traceparent` and, when there is one, `tracestate`. */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

// version-traceId-parentId-flags (W3C Trace Context §3.2), version 00 or a later one.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

type OtelApi = typeof import("@opentelemetry/api");
let otel: Promise<OtelApi | null> | undefined;
const loadOtel = () => (otel ??= import("@opentelemetry/api").then((api) => api, () => null));

/** The context of a carrier (headers, an MCP `_meta`): its well-formed `traceparent` and its `tracestate`; empty without one. */
export function traceContextOf(carrier: Record<string, unknown> | undefined): TraceContext {
  const traceparent = carrier?.traceparent;
  if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent.trim())) return {};
  const tracestate = carrier?.tracestate;
  return { traceparent: traceparent.trim(), ...(typeof tracestate === "string" && tracestate ? { tracestate } : {}) };
}

/**
 * The headers that carry the trace context: `explicit` when it has a traceparent, else the
 * active OpenTelemetry span's, else none (no OpenTelemetry, or no span active).
 */
export async function traceHeaders(explicit?: TraceContext): Promise<Record<string, string>> {
  const given = traceContextOf(explicit as Record<string, unknown> | undefined);
  if (given.traceparent) return given as Record<string, string>;
  const api = await loadOtel();
  if (!api) return {};
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.context.active(), carrier);
  return traceContextOf(carrier) as Record<string, string>;
}
