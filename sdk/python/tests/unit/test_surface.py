"""Configuration, instrumentation, VaultContext, counterparty hints and webhooks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import ledgix_python as ledgix
from ledgix_python import ClearanceDeniedError, VaultConfig, VaultContext
from ledgix_python.counterparty import infer_counterparty

from ..conftest import fast_config
from ..fake_vault import FakeVault, Reply

CLEARANCE = "POST /request-clearance"


def test_defaults_match_the_documented_table() -> None:
    config = VaultConfig()
    assert (config.vault_url, config.vault_api_key, config.vault_timeout) == ("http://localhost:8000", "", 30.0)
    assert (config.agent_id, config.session_id, config.verify_jwt) == ("default-agent", "", True)
    assert (config.jwt_issuer, config.jwt_audience) == ("alcv-vault", "ledgix-sdk")
    assert (config.review_poll_interval, config.review_timeout) == (2.0, 300.0)
    assert (config.max_retries, config.retry_base_delay) == (3, 0.5)


def test_environment_then_dotenv_then_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LEDGIX_AGENT_ID=from-dotenv\nexport LEDGIX_SESSION_ID='s-1'\n# comment\n")
    monkeypatch.setenv("LEDGIX_VAULT_URL", "http://vault:3000/api")
    monkeypatch.setenv("LEDGIX_VERIFY_JWT", "false")
    monkeypatch.setenv("LEDGIX_REVIEW_TIMEOUT", "12.5")
    monkeypatch.setenv("LEDGIX_MAX_RETRIES", "5")
    monkeypatch.setenv("LEDGIX_REVIEW_MODE", "DETACH")
    config = VaultConfig(max_retries=1)
    assert config.vault_url == "http://vault:3000/api" and config.verify_jwt is False
    assert (config.review_timeout, config.max_retries, config.review_mode) == (12.5, 1, "detach")
    assert (config.agent_id, config.session_id) == ("from-dotenv", "s-1")
    monkeypatch.setenv("LEDGIX_AGENT_ID", "from-env")
    assert VaultConfig().agent_id == "from-env"


def test_a_malformed_variable_fails_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGIX_VAULT_TIMEOUT", "soon")
    with pytest.raises(ValidationError, match="vault_timeout"):
        VaultConfig()


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        (
            "stripe_refund",
            {"api_key": "sk_live_1234567890"},
            {
                "destination_uri": "https://api.stripe.com",
                "destination_provider": "stripe",
                "destination_account_ref": "sk_live_1234",
            },
        ),
        (
            "Stripe_Charge",
            {"api_key": "sk_x", "account": "acct_1"},
            {
                "destination_uri": "https://api.stripe.com",
                "destination_provider": "stripe",
                "destination_account_ref": "acct_1",
            },
        ),
        (
            "send_slack",
            {"workspace": "acme"},
            {
                "destination_uri": "https://slack.com/api",
                "destination_provider": "slack",
                "destination_account_ref": "acme",
            },
        ),
        (
            "ask_gpt",
            {"org_id": "org-1"},
            {
                "destination_uri": "https://api.openai.com",
                "destination_provider": "openai",
                "destination_account_ref": "org-1",
            },
        ),
        (
            "bedrock_invoke",
            {"model": "m"},
            {
                "destination_uri": "https://bedrock-runtime.amazonaws.com",
                "destination_provider": "aws-bedrock",
                "destination_account_ref": "m",
            },
        ),
        (
            "http_post",
            {"url": "https://API.Example.com:8443/x"},
            {"destination_uri": "https://API.Example.com:8443/x", "destination_provider": "example.com"},
        ),
        (
            "http_post",
            {"url": "not a url", "endpoint": "https://www.acme.io"},
            {"destination_uri": "https://www.acme.io", "destination_provider": "acme.io"},
        ),
        ("lookup", {"query": "x"}, {}),
    ],
)
def test_counterparty_hints(tool: str, args: dict[str, Any], expected: dict[str, str]) -> None:
    assert infer_counterparty(tool, args) == expected


def test_webhook_signatures() -> None:
    body = b'{"id":"evt_1","type":"review.decided"}'
    digest = hmac.new(b"whsec", body, hashlib.sha256).hexdigest()
    assert ledgix.verify_webhook(body, f"sha256={digest}", "whsec")
    assert ledgix.verify_webhook(body.decode(), digest, "whsec")
    assert not ledgix.verify_webhook(body + b" ", f"sha256={digest}", "whsec")
    assert not ledgix.verify_webhook(body, f"sha256={digest}", "other")


def approve_everything(vault: FakeVault) -> None:
    vault.routes[CLEARANCE] = lambda request: (
        Reply(body={"status": "denied", "decision_status": "denied", "reason": "no", "request_id": "req_d"})
        if request.body["tool_args"].get("amount", 0) > 1000
        else Reply(body=vault.signer.approval(f"req_{len(vault.requests)}"))
    )


def make_module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


TOOLS = """
import ledgix_python as ledgix
def stripe_refund(amount: float, currency: str = "USD") -> str:
    return f"refunded {amount} {currency} with {ledgix.current_token() is not None}"
def stripe_charge(amount: float) -> float:
    return amount
async def send_email(to: str) -> str | None:
    return ledgix.current_token()
def lookup(query: str) -> str:
    return f"token={ledgix.current_token()}"
"""


def test_auto_instrument_wraps_matching_functions_only(fake_vault: FakeVault) -> None:
    approve_everything(fake_vault)
    ledgix.configure(fast_config(fake_vault.url))
    tools = make_module("tools_under_test", TOOLS)
    before = {name: inspect.signature(getattr(tools, name)) for name in ("stripe_refund", "send_email", "lookup")}
    manifest = {
        "enforce": [
            {"tool": "stripe_refund", "policy_id": "refunds"},
            {"tool": "stripe_*", "policy_id": "payments"},
            {"tool": "send_*"},
        ]
    }
    wrapped = ledgix.auto_instrument(tools, manifest=manifest)
    assert sorted(wrapped) == [
        "tools_under_test.send_email",
        "tools_under_test.stripe_charge",
        "tools_under_test.stripe_refund",
    ]
    assert {name: inspect.signature(getattr(tools, name)) for name in before} == before
    assert tools.stripe_refund(45) == "refunded 45 USD with True"
    assert tools.stripe_charge(3) == 3
    assert asyncio.run(tools.send_email("a@b.c")) is not None
    assert tools.lookup("x") == "token=None"  # unmatched: untouched, no clearance
    bodies = [r.body for r in fake_vault.sent(CLEARANCE)]
    assert [(b["tool_name"], b["context"].get("policy_id"), b["tool_args"]) for b in bodies] == [
        ("stripe_refund", "refunds", {"amount": 45, "currency": "USD"}),
        ("stripe_charge", "payments", {"amount": 3}),
        ("send_email", None, {"to": "a@b.c"}),
    ]
    with pytest.raises(ClearanceDeniedError):
        tools.stripe_refund(5000)


def test_manifest_discovery_prefers_yaml(tmp_path: Path, fake_vault: FakeVault) -> None:
    (tmp_path / "ledgix.json").write_text(json.dumps({"enforce": [{"tool": "*", "policy_id": "from-json"}]}))
    assert ledgix.load_manifest().rules[0].policy_id == "from-json"
    (tmp_path / "ledgix.yml").write_text("enforce:\n  - tool: '*'\n    policy_id: from-yml\n")
    assert ledgix.load_manifest().rules[0].policy_id == "from-yml"
    (tmp_path / "ledgix.yaml").write_text("enforce:\n  - tool: '*'\n    policy_id: from-yaml\n")
    assert ledgix.load_manifest().source.endswith("ledgix.yaml")
    with pytest.raises(ValueError, match="tool"):
        ledgix.load_manifest({"enforce": [{"policy_id": "x"}]})


def test_tool_decorator_applies_the_manifest_then_overrides(fake_vault: FakeVault) -> None:
    approve_everything(fake_vault)
    ledgix.configure(fast_config(fake_vault.url))
    ledgix.auto_instrument(
        make_module("empty_tools", ""),
        manifest={"enforce": [{"tool": "wire_*", "policy_id": "wires", "context": {"risk": "high"}}]},
    )

    @ledgix.tool
    def wire_funds(amount: int) -> str | None:
        return ledgix.current_token()

    @ledgix.tool(policy_id="override", context={"risk": "low"})
    def wire_more(amount: int) -> int:
        return amount

    assert wire_funds(1) and wire_more(2) == 2
    contexts = [r.body["context"] for r in fake_vault.sent(CLEARANCE)]
    assert contexts == [{"risk": "high", "policy_id": "wires"}, {"risk": "low", "policy_id": "override"}]
    assert ledgix.current_token() is None and ledgix.current_clearance() is None


def test_vault_enforce_injects_the_clearance_and_vault_context_overrides(fake_vault: FakeVault) -> None:
    approve_everything(fake_vault)
    client = ledgix.LedgixClient(fast_config(fake_vault.url, agent_id="configured"))

    @ledgix.vault_enforce(client, tool_name="stripe_refund", policy_id="refunds")
    def refund(amount: int, **kwargs: Any) -> str:
        return str(kwargs["_clearance"].request_id)

    assert refund(5).startswith("req_")
    with VaultContext(agent_id="agent-b", session_id="sess-b"):
        refund(6)
        with VaultContext(agent_id="agent-c"):
            refund(7)
    refund(8)
    ids = [(r.body["agent_id"], r.body["session_id"]) for r in fake_vault.sent(CLEARANCE)]
    assert ids == [("configured", ""), ("agent-b", "sess-b"), ("agent-c", "sess-b"), ("configured", "")]
    ran: list[int] = []

    @ledgix.vault_enforce(client)
    def stripe_refund(amount: int, **kwargs: Any) -> None:
        ran.append(amount)

    with pytest.raises(ClearanceDeniedError):
        stripe_refund(5000)
    assert ran == []


async def test_vault_context_clears_a_block_sync_and_async(fake_vault: FakeVault) -> None:
    approve_everything(fake_vault)
    client = ledgix.LedgixClient(fast_config(fake_vault.url))
    with VaultContext(client, "stripe_refund", {"amount": 45}, policy_id="refunds") as ctx:
        assert ctx.clearance is not None and ledgix.current_token() == ctx.clearance.token
    async with VaultContext(client, "stripe_refund", {"amount": 46}, agent_id="async-agent") as actx:
        assert actx.clearance is not None and actx.clearance.approved
    assert ledgix.current_clearance() is None
    assert fake_vault.sent(CLEARANCE)[1].body["agent_id"] == "async-agent"


async def test_current_token_is_per_task(fake_vault: FakeVault) -> None:
    approve_everything(fake_vault)
    ledgix.configure(fast_config(fake_vault.url))

    @ledgix.enforce(tool_name="stripe_refund")
    async def refund(amount: int) -> tuple[str | None, str | None]:
        first = ledgix.current_token()
        await asyncio.sleep(0.05)
        return first, ledgix.current_token()

    results = await asyncio.gather(refund(1), refund(2))
    assert all(a == b and a for a, b in results)
    assert results[0][0] != results[1][0]
