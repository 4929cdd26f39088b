"""The SDK against the real server: every decision path of POST /api/clearance."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest

import ledgix_python as ledgix
from ledgix_python import (
    ClearanceDeniedError,
    LedgixClient,
    ManualReviewTimeoutError,
    PolicyRegistration,
    ReplayDetectedError,
    ReviewPendingError,
    VaultStatusError,
    tool_args_hash,
)

from .conftest import config_for, refund
from .vault_server import Tenant, VaultServer, start_server


def test_approved_with_a_verified_single_use_token(vault: VaultServer, tenant: Tenant, client: LedgixClient) -> None:
    response = client.request_clearance(refund(45))
    assert (response.status, response.approved, response.decision_status) == ("approved", True, "approved")
    assert response.token and response.request_id and response.policy_version_id
    with pytest.raises(ReplayDetectedError):
        client.verify_token(response.token)  # request_clearance already verified (and spent) it
    with LedgixClient(config_for(vault, tenant)) as verifier:
        claims = verifier.verify_token(response.token)
    assert claims["request_id"] == response.request_id and claims["tool"] == "stripe_refund"
    assert claims["agent_id"] == "agent-pytest" and claims["policy_id"] == "refunds"
    assert claims["tool_args_hash"] == tool_args_hash({"amount": 45, "currency": "USD"})


def test_denied_is_an_exception_with_the_reason(client: LedgixClient) -> None:
    with pytest.raises(ClearanceDeniedError) as raised:
        client.request_clearance(refund(5000))
    assert raised.value.reason_code == "refund_too_large"
    assert raised.value.request_id and "1,000" in raised.value.reason


def _capture_pending_id(found: list[str]) -> httpx.Client:
    """An httpx client whose request hook reports the request id the SDK starts polling."""

    def hook(request: httpx.Request) -> None:
        if "/clearance-status/" in request.url.path and not found:
            found.append(request.url.path.rsplit("/", 1)[1])

    return httpx.Client(event_hooks={"request": [hook]}, timeout=30)


def _decide_when_pending(vault: VaultServer, found: list[str], verdict: str) -> threading.Thread:
    def decide() -> None:
        deadline = time.monotonic() + 20
        while not found and time.monotonic() < deadline:
            time.sleep(0.05)
        vault.cli("review", "decide", found[0], verdict, "--reason", "checked by pytest")

    thread = threading.Thread(target=decide)
    thread.start()
    return thread


@pytest.mark.parametrize("verdict", ["--approve", "--deny"])
def test_pending_review_decided_by_a_reviewer(vault: VaultServer, tenant: Tenant, verdict: str) -> None:
    found: list[str] = []
    with LedgixClient(config_for(vault, tenant), http_client=_capture_pending_id(found)) as sdk:
        reviewer = _decide_when_pending(vault, found, verdict)
        try:
            if verdict == "--approve":
                response = sdk.request_clearance(refund(500))
                assert response.approved and response.token and response.request_id == found[0]
            else:
                with pytest.raises(ClearanceDeniedError) as raised:
                    sdk.request_clearance(refund(500))
                assert raised.value.reason_code == "review_denied" and raised.value.request_id == found[0]
        finally:
            reviewer.join()


def test_a_reviewer_edits_the_amount_down_and_the_tool_runs_with_it(
    vault: VaultServer, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    reviewer = "rita@py-edit.test"
    vault.command("member.add", tenant=tenant.name, email=reviewer, role="reviewer")
    approved = {"amount": 250, "currency": "USD"}

    def edit_when_pending() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            waiting = vault.command("review.list", tenant=tenant.name)
            found = [r["id"] for r in waiting if r["toolArgs"].get("memo") == "order 7"]
            if found:
                vault.cli("review", "decide", found[0], "--approve", "--as", reviewer, "--args", json.dumps(approved))
                return
            time.sleep(0.1)

    runs: list[tuple[object, ...]] = []
    with LedgixClient(config_for(vault, tenant)) as sdk:

        @ledgix.vault_enforce(sdk, tool_name="stripe_refund", policy_id="refunds")
        def refund_charge(
            amount: float, currency: str, memo: str = "", _clearance: ledgix.ClearanceResponse | None = None
        ) -> str | None:
            assert _clearance is not None
            runs.append((amount, currency, memo, _clearance.args_edited, _clearance.request_id))
            return _clearance.token

        reviewer_thread = threading.Thread(target=edit_when_pending)
        reviewer_thread.start()
        try:
            token = refund_charge(500, "USD", memo="order 7")
        finally:
            reviewer_thread.join()
    [(amount, currency, memo, edited, request_id)] = runs
    assert (amount, currency, memo, edited) == (250, "USD", "", True)
    warnings = [r.getMessage() for r in caplog.records if r.name == "ledgix_python" and r.levelno == logging.WARNING]
    assert any(f"(request {request_id})" in w and w.endswith("(changed: amount, memo)") for w in warnings), warnings
    # The token binds the edited call, not the one asked for: a gateway would refuse the original.
    claims = jwt.decode(token or "", options={"verify_signature": False})
    assert claims["tool_args_hash"] == tool_args_hash(approved)
    assert claims["tool_args_hash"] != tool_args_hash({"amount": 500, "currency": "USD", "memo": "order 7"})


def test_detached_review_then_wait_and_cancel(vault: VaultServer, tenant: Tenant) -> None:
    with LedgixClient(config_for(vault, tenant, review_mode="detach")) as sdk:
        with pytest.raises(ReviewPendingError) as first:
            sdk.request_clearance(refund(600))
        pending = first.value.pending_approval
        vault.cli("review", "decide", pending.request_id, "--approve")
        approved = pending.wait(timeout=20)
        assert approved.approved and approved.token
        assert sdk.verify_token(approved.token)["request_id"] == pending.request_id

        with pytest.raises(ReviewPendingError) as second:
            sdk.request_clearance(refund(700))
        assert second.value.pending_approval.cancel() is True
        with pytest.raises(ClearanceDeniedError) as cancelled:
            second.value.pending_approval.wait(timeout=10)
        assert cancelled.value.reason_code == "review_cancelled_by_agent"


def test_review_timeout(vault: VaultServer, tenant: Tenant) -> None:
    with LedgixClient(config_for(vault, tenant, review_timeout=1.0)) as sdk:
        started = time.monotonic()
        with pytest.raises(ManualReviewTimeoutError) as raised:
            sdk.request_clearance(refund(800))
    assert raised.value.request_id and 0.9 < time.monotonic() - started < 10


@pytest.fixture(scope="module")
def async_vault() -> Iterator[tuple[VaultServer, Tenant]]:
    """A second server that answers every request `processing` (LEDGIX_DECISION_WAIT_MS=0)."""
    server = start_server({"LEDGIX_DECISION_WAIT_MS": "0"})
    try:
        yield server, server.new_tenant()
    finally:
        server.stop()


def test_processing_is_polled_to_the_decision(async_vault: tuple[VaultServer, Tenant]) -> None:
    server, tenant = async_vault
    statuses: list[tuple[str, int]] = []

    def hook(response: httpx.Response) -> None:
        statuses.append((response.request.url.path.rsplit("/", 1)[0], response.status_code))

    http = httpx.Client(event_hooks={"response": [hook]}, timeout=30)
    with LedgixClient(config_for(server, tenant), http_client=http) as sdk:
        response = sdk.request_clearance(refund(45))
    assert response.approved and response.token
    assert statuses[0] == ("/api", 202)  # POST /api/request-clearance answered `processing`
    assert ("/api/clearance-status", 200) in statuses


def test_429_retry_after_for_an_in_flight_idempotency_key(vault: VaultServer, tenant: Tenant) -> None:
    """The server answers 429 Retry-After: 1 while a request with the same Idempotency-Key is
    in flight. The test makes the first attempt's key look in flight (its claim row, as the
    server writes it), releases it 1.5 s later, and checks the SDK waited and retried with
    the same key and body."""
    tenant_id = vault.sql("SELECT id FROM tenants WHERE name = $1", [tenant.name])[0]["id"]
    attempts: list[tuple[float, str, int]] = []

    def claim(request: httpx.Request) -> None:
        if request.method != "POST":
            return
        key = request.headers["Idempotency-Key"]
        if not attempts:
            fingerprint = hashlib.sha256(request.content).hexdigest()
            vault.sql(
                'INSERT INTO idempotency_records ("tenantId", method, path, key, fingerprint, "expiresAt")'
                " VALUES ($1, 'POST', '/api/request-clearance', $2, $3, now() + interval '1 hour')",
                [tenant_id, key, fingerprint],
            )
            threading.Timer(1.5, vault.sql, ["DELETE FROM idempotency_records WHERE key = $1", [key]]).start()
        attempts.append((time.monotonic(), key, 0))

    def record(response: httpx.Response) -> None:
        if response.request.method != "POST":
            return
        at, key, _ = attempts[-1]
        attempts[-1] = (at, key, response.status_code)

    http = httpx.Client(event_hooks={"request": [claim], "response": [record]}, timeout=30)
    with LedgixClient(config_for(vault, tenant), http_client=http) as sdk:
        response = sdk.request_clearance(refund(44))
    assert response.approved
    statuses = [status for _, _, status in attempts]
    assert statuses[0] == 429 and statuses[-1] == 200 and set(statuses[:-1]) == {429}
    assert len({key for _, key, _ in attempts}) == 1
    assert attempts[1][0] - attempts[0][0] >= 0.95  # waited Retry-After: 1


async def test_async_client(vault: VaultServer, tenant: Tenant) -> None:
    async with LedgixClient(config_for(vault, tenant)) as sdk:
        response = await sdk.arequest_clearance(refund(30))
        assert response.approved and response.token
        with pytest.raises(ClearanceDeniedError):
            await sdk.arequest_clearance(refund(3000))


def test_decision_cache_uses_mint_token(vault: VaultServer, tenant: Tenant) -> None:
    # The mint is the approval's second token (the default allowance is one).
    vault.cli("tenant", "settings", tenant.name, "--token-max-per-approval", "2")
    posts: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda r: posts.append(r.url.path) if r.method == "POST" else None]})
    with LedgixClient(config_for(vault, tenant, decision_cache_enabled=True), http_client=http) as sdk:
        first = sdk.request_clearance(refund(46))
        second = sdk.request_clearance(refund(46))
    assert posts == ["/api/request-clearance", "/api/mint-token"]
    assert second.approved and second.token and second.token != first.token
    assert second.request_id != first.request_id


def test_register_policy(client: LedgixClient) -> None:
    policy = PolicyRegistration(
        policy_id="py-plain", description="From pytest", rules=["Refunds need a receipt"], tools=["stripe_refund"]
    )
    first = client.register_policy(policy)
    again = client.register_policy(policy_id="py-plain", rules=["Refunds need a receipt"], tools=["stripe_refund"])
    assert first.policy_id == again.policy_id == "py-plain"


def test_wrong_key_is_a_vault_status_error(vault: VaultServer, tenant: Tenant) -> None:
    from ledgix_python import VaultStatusError

    with (
        LedgixClient(config_for(vault, tenant, vault_api_key="lgx_wrong")) as sdk,
        pytest.raises(VaultStatusError) as raised,
    ):
        sdk.request_clearance(refund(1))
    assert raised.value.status_code == 401 and raised.value.code in {"invalid_api_key", "missing_api_key"}


def test_a_vault_url_without_api_gets_a_hint(vault: VaultServer, tenant: Tenant) -> None:
    origin = vault.api_url.removesuffix("/api")
    with pytest.raises(VaultStatusError) as raised:
        LedgixClient(config_for(vault, tenant, vault_url=origin)).request_clearance(refund(45))
    assert raised.value.status_code == 404
    assert str(raised.value).startswith(
        f"POST /request-clearance returned HTTP 404 at {origin}/request-clearance "
        f"(did you mean LEDGIX_VAULT_URL={origin}/api?): "
    )
