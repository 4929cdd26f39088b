"""W3C trace context on the calls to the vault, so a vault with tracing on continues the caller's trace.

When the application uses OpenTelemetry (``opentelemetry-api`` installed, the ``otel`` extra) and a
span is active, each call carries its ``traceparent`` and ``tracestate`` headers, through the
propagator the application configured. Without it, nothing is added.
"""

from __future__ import annotations

try:
    from opentelemetry import propagate as _propagate
except ImportError:  # pragma: no cover - exercised by installs without the extra
    _propagate = None  # type: ignore[assignment]

_FIELDS = ("traceparent", "tracestate")


def trace_headers() -> dict[str, str]:
    """The active span's W3C trace context as headers; empty without OpenTelemetry or an active span."""
    if _propagate is None:
        return {}
    carrier: dict[str, str] = {}
    _propagate.inject(carrier)
    return {name: value for name, value in carrier.items() if name in _FIELDS}
