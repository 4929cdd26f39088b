import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";

// Spans go through the OpenTelemetry API, which does nothing until start-tracing.ts has
// registered the SDK: with no OTEL_EXPORTER_OTLP_* endpoint set, every span below is the
// API's non-recording no-op and nothing is exported.

const tracer = () => trace.getTracer("ledgix");

export interface SpanOptions {
  kind?: SpanKind;
  /** The parent; default: the active span. */
  parent?: Context;
  startTime?: Date;
}

/**
 * Runs `work` inside a span, as the active one for what it calls. A throw ends the span with
 * status ERROR (and is rethrown); otherwise its status is left unset, as the conventions ask.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, options: SpanOptions = {}): Promise<T> {
  const { kind = SpanKind.INTERNAL, parent = context.active(), startTime } = options;
  return tracer().startActiveSpan(name, { kind, attributes, startTime }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      // A failure's code (JudgeFailure, ApiError) when it has one, else its class.
      span.setAttribute("error.type", (error as { code?: unknown }).code ? String((error as { code?: unknown }).code) : (error as Error).name ?? "Error");
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message?.split("\n")[0] });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds attributes to the active span (a job run's, say), if one is recording. */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Records a span that already happened (a review's wait), from `startTime` to now. */
export function recordSpan(name: string, attributes: Attributes, startTime: Date, parent: Context = context.active()): void {
  tracer().startSpan(name, { attributes, startTime }, parent).end();
}

/** The W3C trace context (`traceparent`, `tracestate`) of a carrier: HTTP headers, an MCP `_meta`, a job payload. */
export function contextFrom(carrier: Record<string, unknown>): Context {
  const fields = Object.fromEntries(Object.entries(carrier).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  return propagation.extract(context.active(), fields);
}

/** The active span's `traceparent` (and `tracestate`), to carry it where headers do not go; empty when none is recording. */
export function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Runs `work` under the trace context an incoming request carries in its `traceparent`
 * header, unless a span is active already (Next.js's own request span, which took it from
 * the same header).
 */
export function withIncomingTrace<T>(headers: Headers, work: () => Promise<T>): Promise<T> {
  if (trace.getSpan(context.active())) return work();
  const carrier = Object.fromEntries(["traceparent", "tracestate"].flatMap((name) => (headers.get(name) ? [[name, headers.get(name)]] : [])));
  return context.with(contextFrom(carrier), work);
}
