"""Client-side counterparty hints (wire protocol §3.1.1): where a tool call is going,
inferred from the tool name and string arguments. Hints only; the server decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Hints = dict[str, str]


def _arg(tool_args: dict[str, Any], *names: str) -> str:
    for name in names:
        value = tool_args.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _stripe(args: dict[str, Any]) -> str:
    key = _arg(args, "api_key")
    return _arg(args, "account") or (key[:12] if key.startswith("sk_") else "")


# (name fragments, uri, provider, account reference from the arguments), first match wins.
_PROVIDERS: list[tuple[tuple[str, ...], str, str, Callable[[dict[str, Any]], str]]] = [
    (("stripe",), "https://api.stripe.com", "stripe", _stripe),
    (("twilio",), "https://api.twilio.com", "twilio", lambda a: _arg(a, "account_sid")),
    (("slack",), "https://slack.com/api", "slack", lambda a: _arg(a, "team_id", "workspace")),
    (("bedrock",), "https://bedrock-runtime.amazonaws.com", "aws-bedrock", lambda a: _arg(a, "model_id", "model")),
    (("openai", "gpt"), "https://api.openai.com", "openai", lambda a: _arg(a, "organization", "org_id")),
    (("anthropic", "claude"), "https://api.anthropic.com", "anthropic", lambda a: _arg(a, "organization")),
]


def _provider_from_host(host: str) -> str:
    host = host.lower()
    for prefix in ("www.", "api.", "api-"):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def infer_counterparty(tool_name: str, tool_args: dict[str, Any] | None) -> Hints:
    """`destination_uri`, `destination_provider` and `destination_account_ref` hints."""
    args = tool_args or {}
    name = tool_name.lower()
    for fragments, uri, provider, account in _PROVIDERS:
        if any(fragment in name for fragment in fragments):
            hints = {"destination_uri": uri, "destination_provider": provider}
            reference = account(args)
            if reference:
                hints["destination_account_ref"] = reference
            return hints
    for key in ("url", "endpoint", "uri", "host"):
        value = args.get(key)
        if not isinstance(value, str):
            continue
        try:
            host = urlsplit(value).hostname
        except ValueError:
            continue
        if host:
            return {"destination_uri": value, "destination_provider": _provider_from_host(host)}
    return {}
