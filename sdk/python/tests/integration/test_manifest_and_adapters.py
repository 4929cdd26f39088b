"""Manifest instrumentation (YAML and JSON) and the three framework adapters, with the real
framework packages, against the real server."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import ledgix_python as ledgix

from ..conftest import crewai_refund_tool
from .conftest import config_for
from .vault_server import Tenant, VaultServer

TOOLS_SOURCE = """
import ledgix_python as ledgix

executed = []

def stripe_refund(amount: float, currency: str = "USD") -> str | None:
    executed.append(amount)
    return ledgix.current_token()

def lookup_order(order_id: str) -> str:
    return order_id
"""


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        (
            "ledgix.yaml",
            "enforce:\n  - tool: stripe_*\n    policy_id: refunds\n  - tool: '*'\n    policy_id: nothing-matches\n",
        ),
        ("ledgix.json", json.dumps({"enforce": [{"tool": "stripe_refund", "policy_id": "refunds"}]})),
    ],
)
def test_auto_instrument_from_a_manifest_file(
    vault: VaultServer, tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filename: str, content: str
) -> None:
    (tmp_path / filename).write_text(content)
    module_name = f"tools_{filename.replace('.', '_')}"
    (tmp_path / f"{module_name}.py").write_text(TOOLS_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    tools: Any = importlib.import_module(module_name)
    try:
        ledgix.configure(config_for(vault, tenant))
        wrapped = ledgix.auto_instrument(tools)
        token = tools.stripe_refund(40)
        assert token and ledgix.get_client()  # the function ran inside its clearance
        with pytest.raises(ledgix.ClearanceDeniedError):
            tools.stripe_refund(4000)
        assert tools.executed == [40]
        if filename == "ledgix.yaml":
            assert sorted(wrapped) == [f"{module_name}.lookup_order", f"{module_name}.stripe_refund"]
            # `*` sends lookup_order to a policy that does not exist: it never runs.
            with pytest.raises(ledgix.LedgixError):
                tools.lookup_order("o-1")
        else:
            assert wrapped == [f"{module_name}.stripe_refund"]
            assert tools.lookup_order("o-1") == "o-1"
    finally:
        sys.modules.pop(module_name, None)


def refund_impl(amount: float, currency: str = "USD") -> str:
    return f"refunded {amount:g} {currency} token={bool(ledgix.current_token())}"


def test_langchain_adapter(vault: VaultServer, tenant: Tenant) -> None:
    from langchain_core.tools import StructuredTool, ToolException

    from ledgix_python.adapters.langchain import LedgixTool

    inner = StructuredTool.from_function(refund_impl, name="stripe_refund", description="Refund a charge")
    client = ledgix.LedgixClient(config_for(vault, tenant))
    guarded = LedgixTool.wrap(client, inner, policy_id="refunds")
    assert guarded.name == "stripe_refund" and guarded.args == inner.args
    assert guarded.invoke({"amount": 45, "currency": "USD"}) == "refunded 45 USD token=True"
    with pytest.raises(ToolException, match="1,000"):
        guarded.invoke({"amount": 4500, "currency": "USD"})
    ledgix.configure(config_for(vault, tenant))  # no client given: the global one
    assert LedgixTool.wrap(inner, policy_id="refunds").invoke({"amount": 20}) == "refunded 20 USD token=True"


async def test_langchain_adapter_async(vault: VaultServer, tenant: Tenant) -> None:
    from langchain_core.tools import StructuredTool

    from ledgix_python.adapters.langchain import LedgixTool

    inner = StructuredTool.from_function(refund_impl, name="stripe_refund", description="Refund a charge")
    ledgix.configure(config_for(vault, tenant))
    assert await LedgixTool.wrap(inner, policy_id="refunds").ainvoke({"amount": 21}) == "refunded 21 USD token=True"


def test_llamaindex_adapter(vault: VaultServer, tenant: Tenant) -> None:
    from llama_index.core.tools import FunctionTool

    from ledgix_python.adapters.llamaindex import wrap_tool

    calls: list[float] = []

    def stripe_refund(amount: float, currency: str = "USD") -> str:
        """Refund a charge."""
        calls.append(amount)
        return refund_impl(amount, currency)

    inner = FunctionTool.from_defaults(fn=stripe_refund)
    guarded = wrap_tool(ledgix.LedgixClient(config_for(vault, tenant)), inner, policy_id="refunds")
    assert guarded.metadata.name == "stripe_refund"
    assert guarded.call(amount=45, currency="USD").raw_output == "refunded 45 USD token=True"
    with pytest.raises(ledgix.ClearanceDeniedError):
        guarded.call(amount=4500)
    assert calls == [45]


def test_crewai_adapter(vault: VaultServer, tenant: Tenant) -> None:
    from ledgix_python.adapters.crewai import LedgixCrewAITool

    inner = crewai_refund_tool(refund_impl)
    ledgix.configure(config_for(vault, tenant))
    guarded = LedgixCrewAITool.wrap(inner, policy_id="refunds")
    assert guarded.name == "stripe_refund"
    assert guarded.run(amount=45, currency="USD") == "refunded 45 USD token=True"
    blocked = guarded.run(amount=4500, currency="USD")
    assert blocked.startswith("BLOCKED") and "1,000" in blocked
    assert inner.calls == [(45, "USD")]
