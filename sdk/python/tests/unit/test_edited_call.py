"""A reviewer edits the call before approving it: the decorators and adapters run the approved
arguments, say so, and run nothing when the approved arguments cannot be passed as they are.
Real HTTP to FakeVault, which answers `args_edited: true` with a token bound to the approved
arguments."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import ledgix_python as ledgix
from ledgix_python import ClearanceRequest, EditedArgsError, LedgixClient, TokenVerificationError

from ..conftest import crewai_refund_tool, fast_config
from ..fake_vault import FakeVault

ASKED = {"amount": 45, "currency": "USD", "memo": "double charge"}
APPROVED = {"amount": 20, "currency": "USD"}


def client(vault: FakeVault, **overrides: Any) -> LedgixClient:
    return LedgixClient(fast_config(vault.url, **overrides))


def asked(vault: FakeVault) -> list[Any]:
    return [r.body["tool_args"] for r in vault.sent("POST /request-clearance")]


def edit_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ledgix_python" and r.levelno == logging.WARNING]


def test_the_client_says_what_was_approved_and_warns_naming_the_changed_fields(
    fake_vault: FakeVault, caplog: pytest.LogCaptureFixture
) -> None:
    fake_vault.approve_edited(APPROVED, request_id="req_e1")
    clearance = client(fake_vault).request_clearance(ClearanceRequest(tool_name="stripe_refund", tool_args=ASKED))
    assert clearance.approved and clearance.args_edited
    assert clearance.tool_args == APPROVED
    [message] = edit_warnings(caplog)
    assert "stripe_refund (request req_e1)" in message
    assert message.endswith("(changed: amount, memo)")
    assert "45" not in message and "double charge" not in message


def test_a_decorated_function_runs_with_exactly_the_approved_arguments(
    fake_vault: FakeVault, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[tuple[Any, ...]] = []

    @ledgix.vault_enforce(client(fake_vault))
    def stripe_refund(
        amount: int, currency: str, memo: str = "not passed", *, _clearance: ledgix.ClearanceResponse | None = None
    ) -> str:
        assert _clearance is not None
        runs.append((amount, currency, memo, _clearance.args_edited, _clearance.tool_args))
        assert ledgix.current_clearance() is _clearance
        return "refunded"

    fake_vault.approve_edited(APPROVED)
    assert stripe_refund(45, "USD", memo="double charge") == "refunded"
    assert asked(fake_vault) == [ASKED]
    # The reviewer removed memo: it is not passed, so the function's default applies.
    assert runs == [(20, "USD", "not passed", True, APPROVED)]
    assert len(edit_warnings(caplog)) == 1


async def test_an_async_function_runs_with_the_approved_arguments(fake_vault: FakeVault) -> None:
    runs: list[tuple[Any, ...]] = []
    ledgix.configure(fast_config(fake_vault.url))

    @ledgix.enforce()
    async def stripe_refund(amount: int, currency: str = "EUR", /, **extra: Any) -> None:
        runs.append((amount, currency, extra))

    fake_vault.approve_edited({"amount": 20})
    await stripe_refund(45, "USD", trace="t-1")
    assert asked(fake_vault) == [{"amount": 45, "currency": "USD"}]
    # currency was removed (its default applies); `**extra` is not a tool argument and is kept.
    assert runs == [(20, "EUR", {"trace": "t-1"})]


@pytest.mark.parametrize(
    ("desc", "approved", "why"),
    [
        ("a key that is not a parameter", {**APPROVED, "note": "x"}, "note not among the function's parameters"),
        ("a private parameter", {**APPROVED, "_clearance": "x"}, "_clearance not among the function's parameters"),
        ("a required parameter removed", {"currency": "USD"}, "amount removed, and the function requires it"),
    ],
)
def test_arguments_that_cannot_be_passed_fail_closed(
    fake_vault: FakeVault, desc: str, approved: dict[str, Any], why: str
) -> None:
    runs: list[int] = []

    @ledgix.vault_enforce(client(fake_vault))
    def stripe_refund(amount: int, currency: str, **_clearance: Any) -> None:
        runs.append(amount)

    fake_vault.approve_edited(approved, request_id="req_bad")
    with pytest.raises(EditedArgsError, match=why) as raised:
        stripe_refund(45, "USD")
    assert raised.value.request_id == "req_bad", desc
    assert runs == []


def test_a_positional_only_parameter_after_a_removed_one_fails_closed(fake_vault: FakeVault) -> None:
    runs: list[int] = []

    @ledgix.vault_enforce(client(fake_vault))
    def stripe_refund(amount: int = 0, currency: str = "USD", /, **_clearance: Any) -> None:
        runs.append(amount)

    fake_vault.approve_edited({"currency": "EUR"})
    with pytest.raises(EditedArgsError, match="do not fit the function"):
        stripe_refund(45, "USD")
    assert runs == []


@pytest.mark.parametrize(
    ("desc", "approved", "token_args", "error", "message"),
    [
        ("a token bound to other arguments", APPROVED, ASKED, TokenVerificationError, "for other arguments"),
        ("an edit that does not say what was approved", None, None, EditedArgsError, "did not say which arguments"),
    ],
)
def test_a_vault_answer_that_does_not_bind_the_approved_call_fails_closed(
    fake_vault: FakeVault,
    desc: str,
    approved: dict[str, Any] | None,
    token_args: dict[str, Any] | None,
    error: type[Exception],
    message: str,
) -> None:
    runs: list[int] = []

    @ledgix.vault_enforce(client(fake_vault))
    def stripe_refund(amount: int, currency: str, **_clearance: Any) -> None:
        runs.append(amount)

    fake_vault.approve_edited(approved, token_args=token_args)
    with pytest.raises(error, match=message):
        stripe_refund(45, "USD")
    assert runs == [], desc


def test_an_edited_approval_is_not_cached(fake_vault: FakeVault) -> None:
    cached = client(fake_vault, decision_cache_enabled=True)
    request = ClearanceRequest(tool_name="stripe_refund", tool_args=ASKED)
    fake_vault.approve_edited(APPROVED)
    assert cached.request_clearance(request).tool_args == APPROVED
    assert cached.request_clearance(request).tool_args == APPROVED
    assert len(fake_vault.sent("POST /request-clearance")) == 2
    assert fake_vault.sent("POST /mint-token") == []


def refund_impl(amount: float, currency: str = "USD") -> str:
    return f"refunded {amount:g} {currency}"


def test_langchain_runs_the_approved_input_and_refuses_unknown_keys(fake_vault: FakeVault) -> None:
    from langchain_core.tools import StructuredTool

    from ledgix_python.adapters.langchain import LedgixTool

    inner = StructuredTool.from_function(refund_impl, name="stripe_refund", description="Refund a charge")
    guarded = LedgixTool.wrap(client(fake_vault), inner)
    fake_vault.approve_edited(APPROVED)
    assert guarded.invoke({"amount": 45, "currency": "GBP"}) == "refunded 20 USD"
    fake_vault.approve_edited({**APPROVED, "memo": "x"})
    with pytest.raises(EditedArgsError, match="memo not among the tool's arguments"):
        guarded.invoke({"amount": 45, "currency": "GBP"})


def test_llamaindex_runs_the_approved_input_and_refuses_unknown_keys(fake_vault: FakeVault) -> None:
    from llama_index.core.tools import FunctionTool

    from ledgix_python.adapters.llamaindex import wrap_tool

    calls: list[tuple[float, str]] = []

    def stripe_refund(amount: float, currency: str = "USD") -> str:
        """Refund a charge."""
        calls.append((amount, currency))
        return refund_impl(amount, currency)

    guarded = wrap_tool(client(fake_vault), FunctionTool.from_defaults(fn=stripe_refund))
    fake_vault.approve_edited({"amount": 20})
    assert guarded.call(amount=45, currency="GBP").raw_output == "refunded 20 USD"
    fake_vault.approve_edited({**APPROVED, "memo": "x"})
    with pytest.raises(EditedArgsError, match="memo not among the tool's arguments"):
        guarded.call(amount=45, currency="GBP")
    assert calls == [(20, "USD")]


def test_crewai_runs_the_approved_input_and_refuses_unknown_keys(fake_vault: FakeVault) -> None:
    from ledgix_python.adapters.crewai import LedgixCrewAITool

    inner = crewai_refund_tool(refund_impl)
    guarded = LedgixCrewAITool.wrap(client(fake_vault), inner)
    fake_vault.approve_edited(APPROVED)
    assert guarded.run(amount=45, currency="GBP") == "refunded 20 USD"
    fake_vault.approve_edited({**APPROVED, "memo": "x"})
    with pytest.raises(EditedArgsError, match="memo not among the tool's arguments"):
        guarded.run(amount=45, currency="GBP")
    assert inner.calls == [(20, "USD")]
