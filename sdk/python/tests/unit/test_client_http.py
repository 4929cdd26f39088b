"""Retries, 429 handling, polling, tokens and the decision cache against a real local HTTP
server that plays scripted answers (FakeVault)."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from typing import Any

import httpx
import pytest

from ledgix_python import (
    ClearanceDeniedError,
    ClearanceRequest,
    LedgixClient,
    ManualReviewTimeoutError,
    PolicyRegistrationError,
    QueueSaturatedError,
    ReplayDetectedError,
    ReviewPendingError,
    TokenVerificationError,
    VaultConnectionError,
    VaultStatusError,
)

from ..conftest import fast_config
from ..fake_vault import FakeVault, Reply

REFUND = ClearanceRequest(tool_name="stripe_refund", tool_args={"amount": 45, "currency": "USD"})
CLEARANCE = "POST /request-clearance"


def client(vault: FakeVault, **overrides: object) -> LedgixClient:
    return LedgixClient(fast_config(vault.url, **overrides))


def test_5xx_is_retried_with_one_idempotency_key(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(503), Reply(502), Reply(body=fake_vault.signer.approval()))
    response = client(fake_vault).request_clearance(REFUND)
    assert response.approved and response.token
    sent = fake_vault.sent(CLEARANCE)
    assert len(sent) == 3
    keys = {r.headers["idempotency-key"] for r in sent}
    assert len(keys) == 1 and len(keys.pop()) == 36
    assert sent[0].headers["x-vault-api-key"] == "lgx_test"


def test_5xx_beyond_the_budget_is_a_vault_status_error(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, *[Reply(500, {"error": {"code": "internal_error", "message": "x"}})] * 4)
    with pytest.raises(VaultStatusError) as raised:
        client(fake_vault, max_retries=3).request_clearance(REFUND)
    assert len(fake_vault.sent(CLEARANCE)) == 4
    assert raised.value.status_code == 500 and raised.value.code == "internal_error"
    assert isinstance(raised.value, VaultConnectionError) and isinstance(raised.value, httpx.HTTPStatusError)


def test_other_4xx_fail_at_once(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(401, {"error": {"code": "invalid_api_key", "message": "no"}}))
    with pytest.raises(VaultStatusError) as raised:
        client(fake_vault).request_clearance(REFUND)
    assert raised.value.code == "invalid_api_key"
    assert len(fake_vault.sent(CLEARANCE)) == 1


def test_429_waits_retry_after_without_spending_the_budget(fake_vault: FakeVault) -> None:
    fake_vault.script(
        CLEARANCE,
        Reply(429, headers={"Retry-After": "0.3"}),
        Reply(429, headers={"Retry-After": "0.3"}),
        Reply(body=fake_vault.signer.approval()),
    )
    response = client(fake_vault, max_retries=0).request_clearance(REFUND)
    sent = fake_vault.sent(CLEARANCE)
    assert response.approved and len(sent) == 3
    assert sent[1].at - sent[0].at >= 0.29 and sent[2].at - sent[1].at >= 0.29
    assert len({r.headers["idempotency-key"] for r in sent}) == 1


def test_eleven_consecutive_429s_saturate(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, *[Reply(429, headers={"Retry-After": "0"})] * 11)
    with pytest.raises(QueueSaturatedError) as raised:
        client(fake_vault).request_clearance(REFUND)
    assert (raised.value.attempts, raised.value.last_retry_after) == (10, 0.0)
    assert len(fake_vault.sent(CLEARANCE)) == 11


def test_a_non_numeric_retry_after_falls_back_to_backoff(fake_vault: FakeVault) -> None:
    fake_vault.script(
        CLEARANCE,
        Reply(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        Reply(body=fake_vault.signer.approval()),
    )
    assert client(fake_vault).request_clearance(REFUND).approved


def test_dropped_connections_are_retried_then_reported(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(drop=True), Reply(body=fake_vault.signer.approval()))
    assert client(fake_vault).request_clearance(REFUND).approved
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(VaultConnectionError) as raised:
        LedgixClient(fast_config(f"http://127.0.0.1:{closed_port}/api", max_retries=2)).request_clearance(REFUND)
    assert str(raised.value) == (
        f"could not reach the Ledgix vault at http://127.0.0.1:{closed_port}/api/request-clearance "
        "(connection refused); set LEDGIX_VAULT_URL"
    )


class NotFoundHandler(http.server.BaseHTTPRequestHandler):
    """Answers 404 to everything, as a web server (or the vault outside /api) does."""

    def do_POST(self) -> None:
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1>404: This page could not be found.</h1>")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("base", "path", "hint"),
    [
        ("", "/request-clearance", True),
        ("/ledgix", "/ledgix/request-clearance", True),
        ("/api", "/api/request-clearance", False),
    ],
    ids=["no path", "a path without /api", "a path ending in /api"],
)
def test_a_404_that_is_not_the_vaults_names_the_url(base: str, path: str, hint: bool) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFoundHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(VaultStatusError) as raised:
            LedgixClient(fast_config(f"{origin}{base}/", max_retries=0)).request_clearance(REFUND)
    finally:
        server.shutdown()
        server.server_close()
    did_you_mean = f" (did you mean LEDGIX_VAULT_URL={origin}{base}/api?)" if hint else ""
    assert str(raised.value) == (
        f"POST /request-clearance returned HTTP 404 at {origin}{path}{did_you_mean}: "
        "<h1>404: This page could not be found.</h1>"
    )


def test_denial_is_raised_with_reason_and_ids(fake_vault: FakeVault) -> None:
    denial = {
        "status": "denied",
        "decision_status": "denied",
        "reason": "too large",
        "request_id": "req_9",
        "reason_code": "refund_too_large",
    }
    fake_vault.script(CLEARANCE, Reply(body=denial))
    with pytest.raises(ClearanceDeniedError) as raised:
        client(fake_vault).request_clearance(REFUND)
    assert (raised.value.reason, raised.value.request_id, raised.value.reason_code) == (
        "too large",
        "req_9",
        "refund_too_large",
    )


PENDING = {
    "status": "pending_review",
    "decision_status": "approved_pending_review",
    "requires_manual_review": True,
    "request_id": "req_p",
}


def test_pending_review_is_polled_until_decided(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(202, {**PENDING, "status": "processing", "decision_status": "denied"}))
    fake_vault.script(
        "GET /clearance-status/req_p", Reply(body=PENDING), Reply(body=fake_vault.signer.approval("req_p"))
    )
    response = client(fake_vault).request_clearance(REFUND)
    assert response.approved and response.request_id == "req_p"
    assert len(fake_vault.sent("GET /clearance-status/req_p")) == 2


def test_review_timeout(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(body=PENDING))
    fake_vault.routes["GET /clearance-status/*"] = lambda _: Reply(body=PENDING)
    started = time.monotonic()
    with pytest.raises(ManualReviewTimeoutError) as raised:
        client(fake_vault, review_timeout=0.4).request_clearance(REFUND)
    assert raised.value.request_id == "req_p"
    assert 0.35 < time.monotonic() - started < 2


def test_detach_mode_hands_out_a_pending_approval(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(body=PENDING))
    fake_vault.script(
        "GET /clearance-status/req_p",
        Reply(
            body={
                "status": "denied",
                "decision_status": "denied",
                "reason": "review_cancelled_by_agent",
                "request_id": "req_p",
            }
        ),
    )
    fake_vault.script("POST /reviews/req_p/decision", Reply(body={}))
    sdk = client(fake_vault, review_mode="detach")
    with pytest.raises(ReviewPendingError) as raised:
        sdk.request_clearance(REFUND)
    pending = raised.value.pending_approval
    assert pending.request_id == "req_p"
    assert pending.cancel() is True
    assert fake_vault.sent("POST /reviews/req_p/decision")[0].body == {
        "approved": False,
        "review_reason": "cancelled by agent",
    }
    with pytest.raises(ClearanceDeniedError):
        pending.wait(timeout=1)


def test_tokens_are_verified_and_single_use(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(body=fake_vault.signer.approval()))
    sdk = client(fake_vault)
    token = sdk.request_clearance(REFUND).token
    assert token
    with pytest.raises(ReplayDetectedError):
        sdk.verify_token(token)
    assert LedgixClient(fast_config(fake_vault.url)).verify_token(token)["sub"] == "clearance"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": ["other-sdk"]}, "audience"),
        ({"iss": "someone-else"}, "issuer"),
        ({"sub": "other"}, "subject"),
        ({"exp": 1_000}, "expired"),
        ({"jti": ""}, "jti"),
    ],
)
def test_bad_tokens_are_rejected(fake_vault: FakeVault, claims: dict[str, Any], message: str) -> None:
    fake_vault.script(CLEARANCE, Reply(body=fake_vault.signer.approval(**claims)))
    with pytest.raises(TokenVerificationError, match=f"(?i){message}"):
        client(fake_vault).request_clearance(REFUND)


def test_a_token_signed_by_an_unpublished_key_is_rejected(fake_vault: FakeVault) -> None:
    sdk = client(fake_vault)
    sdk.fetch_jwks()
    token = fake_vault.signer.token(kid="not-in-jwks")
    with pytest.raises(TokenVerificationError, match="no key"):
        sdk.verify_token(token)
    assert len(fake_vault.sent("GET /.well-known/jwks.json")) == 2  # one refetch for the unknown kid


def test_key_rotation_refetches_the_jwks(fake_vault: FakeVault) -> None:
    sdk = client(fake_vault)
    sdk.verify_token(fake_vault.signer.token())
    fake_vault.signer.rotate("vault-test-2026-02")
    claims = sdk.verify_token(fake_vault.signer.token())
    assert claims["iss"] == "alcv-vault"
    assert len(fake_vault.sent("GET /.well-known/jwks.json")) == 2


def test_alg_none_is_rejected(fake_vault: FakeVault) -> None:
    import jwt

    unsigned = jwt.encode({"sub": "clearance"}, key="", algorithm="none")
    with pytest.raises(TokenVerificationError, match="algorithm"):
        client(fake_vault).verify_token(unsigned)


def test_decision_cache_mints_a_fresh_token(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(body=fake_vault.signer.approval("req_a")))
    fake_vault.script("POST /mint-token", Reply(body={"token": fake_vault.signer.token(), "request_id": "req_b"}))
    sdk = client(fake_vault, decision_cache_enabled=True)
    first = sdk.request_clearance(REFUND)
    second = sdk.request_clearance(REFUND)
    assert (first.request_id, second.request_id) == ("req_a", "req_b")
    assert second.token != first.token and second.approved
    mint = fake_vault.sent("POST /mint-token")[0]
    assert mint.body["original_request_id"] == "req_a" and mint.body["policy_version_id"] == "pv_1"
    assert mint.headers["idempotency-key"]


def test_counterparty_hints_and_agent_defaults_are_sent(fake_vault: FakeVault) -> None:
    fake_vault.script(CLEARANCE, Reply(body=fake_vault.signer.approval()))
    client(fake_vault, agent_id="agent-7", principal_id="user-1").request_clearance(REFUND)
    body = fake_vault.sent(CLEARANCE)[0].body
    assert body["agent_id"] == "agent-7" and body["session_id"] == "" and body["human_principal"] == "user-1"
    assert (body["destination_uri"], body["destination_provider"]) == ("https://api.stripe.com", "stripe")
    assert body["purpose"] is None and body["parent_jti"] is None


def test_register_policy_errors(fake_vault: FakeVault) -> None:
    fake_vault.script(
        "POST /register-policy",
        Reply(body={"policy_id": "p1", "status": "registered"}),
        Reply(422, {"error": {"code": "invalid_policy", "message": "bad"}}),
    )
    sdk = client(fake_vault)
    assert sdk.register_policy(policy_id="p1", rules=["no refunds above 100 USD"]).policy_id == "p1"
    with pytest.raises(PolicyRegistrationError):
        sdk.register_policy(policy_id="p1")
    assert fake_vault.sent("POST /register-policy")[0].body == {
        "policy_id": "p1",
        "description": "",
        "rules": ["no refunds above 100 USD"],
        "tools": [],
    }


async def test_the_async_client_shares_the_same_flows(fake_vault: FakeVault) -> None:
    fake_vault.script(
        CLEARANCE, Reply(503), Reply(429, headers={"Retry-After": "0.1"}), Reply(body=fake_vault.signer.approval())
    )
    async with client(fake_vault) as sdk:
        response = await sdk.arequest_clearance(REFUND)
        assert response.approved
        assert response.token
        with pytest.raises(ReplayDetectedError):
            await sdk.averify_token(response.token)
    assert len(fake_vault.sent(CLEARANCE)) == 3


def test_calls_carry_the_active_spans_trace_context(fake_vault: FakeVault) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("agent")
    fake_vault.script(CLEARANCE, Reply(body=fake_vault.signer.approval()), Reply(body=fake_vault.signer.approval()))
    with tracer.start_as_current_span("agent step") as span:
        client(fake_vault).request_clearance(REFUND)
    client(fake_vault).request_clearance(REFUND)
    inside, outside = fake_vault.sent(CLEARANCE)
    ids = span.get_span_context()
    assert inside.headers["traceparent"] == f"00-{ids.trace_id:032x}-{ids.span_id:016x}-{ids.trace_flags:02x}"
    assert "traceparent" not in outside.headers
