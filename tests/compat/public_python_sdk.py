"""Drives the public ledgix-python 0.4.0 client against a Ledgix server.

Run by tests/integration/public-python-sdk.test.ts with the interpreter of .venv-compat/
(scripts/python-venv.sh). It uses only the SDK's public API; the server comes from
LEDGIX_VAULT_URL and LEDGIX_VAULT_API_KEY, which the SDK's VaultConfig reads itself.

    python public_python_sdk.py approve | deny | review-block | review-detach | review-cancel
                                | register-policy [policy_id] | mint | replay
                                | ledger <request_id>...

The review-block and review-detach scenarios print `PENDING <request_id>` on stderr once
the request waits for a person, so that the caller can decide it with the CLI.

Each subcommand prints one JSON object on stdout. An unexpected exception is not caught:
the process exits non-zero with the traceback on stderr, so a protocol break shows up as
the SDK reported it (HTTP status, validation error, ...).

Which HTTP calls the SDK made is observed through the `httpx` logger (the HTTP library's
public request log: `HTTP Request: POST <url> "HTTP/1.1 200 OK"`), never by patching
the SDK.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from ledgix_python import (
    ClearanceDeniedError,
    ClearanceRequest,
    LedgixClient,
    PolicyRegistration,
    ReplayDetectedError,
    ReviewPendingError,
    TokenVerificationError,
    VaultConfig,
)

AGENT_ID = "agent-python-compat"
SESSION_ID = "sess-python-compat"


class HttpLog(logging.Handler):
    """Records the (method, path, status) of every request the SDK sends."""

    LINE = re.compile(r'^HTTP Request: (\S+) (\S+) "HTTP/[\d.]+ (\d{3})')

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.calls: list[dict[str, Any]] = []
        self.on_call: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        match = self.LINE.match(record.getMessage())
        if not match:
            return
        method, url, status = match.groups()
        path = re.sub(r"^[a-z]+://[^/]+", "", url)
        call = {"method": method, "path": path, "status": int(status)}
        self.calls.append(call)
        if self.on_call:
            self.on_call(call)

    def paths(self, method: str, fragment: str) -> list[str]:
        return [c["path"] for c in self.calls if c["method"] == method and fragment in c["path"]]


http_log = HttpLog()
_httpx_logger = logging.getLogger("httpx")
_httpx_logger.setLevel(logging.INFO)
_httpx_logger.addHandler(http_log)
_httpx_logger.propagate = False


def client(**overrides: Any) -> LedgixClient:
    """A client configured from LEDGIX_VAULT_URL / LEDGIX_VAULT_API_KEY; everything the
    scenarios depend on is set explicitly so stray LEDGIX_* settings cannot change them."""
    settings: dict[str, Any] = {
        "verify_jwt": True,
        "review_mode": "block",
        "decision_cache_enabled": False,
        "agent_id": AGENT_ID,
        "session_id": SESSION_ID,
        "max_retries": 3,
        "retry_base_delay": 0.2,
        "vault_timeout": 20.0,
        "review_poll_interval": 0.2,
        "review_timeout": 30.0,
    }
    settings.update(overrides)
    config = VaultConfig(**settings)
    if not config.vault_url.startswith("http") or not config.vault_api_key:
        raise SystemExit("set LEDGIX_VAULT_URL and LEDGIX_VAULT_API_KEY")
    return LedgixClient(config)


def refund(amount: float) -> ClearanceRequest:
    return ClearanceRequest(
        tool_name="stripe_refund",
        tool_args={"amount": amount, "currency": "USD"},
        agent_id=AGENT_ID,
        session_id=SESSION_ID,
        context={"policy_id": "refunds"},
    )


def response_fields(response: Any) -> dict[str, Any]:
    fields = response.model_dump(exclude={"token"})
    fields["has_token"] = bool(response.token)
    return fields


def consumed_by(sdk: LedgixClient, token: str) -> bool:
    """True when `sdk` has already verified `token`: verify_token remembers every verified
    jti, so presenting it again raises ReplayDetectedError. This is how a test can tell that
    request_clearance really verified the token (and did not just pass it through)."""
    try:
        sdk.verify_token(token)
    except ReplayDetectedError:
        return True
    return False


def independently_verified_claims(token: str) -> dict[str, Any]:
    """Claims of `token` as verified by a second, fresh client against the JWKS."""
    with client() as verifier:
        return verifier.verify_token(token)


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, sort_keys=True))


# --------------------------------------------------------------------------- scenarios


def approve() -> dict[str, Any]:
    with client() as sdk:
        response = sdk.request_clearance(refund(45))
        assert response.token, "an approval without a token"
        return {
            **response_fields(response),
            "jwks_fetches": len(http_log.paths("GET", "/.well-known/jwks.json")),
            "token_verified_by_sdk": consumed_by(sdk, response.token),
            "claims": independently_verified_claims(response.token),
        }


def deny() -> dict[str, Any]:
    with client() as sdk:
        try:
            response = sdk.request_clearance(refund(5000))
        except ClearanceDeniedError as error:
            return {"raised": type(error).__name__, "reason": error.reason, "request_id": error.request_id, "message": str(error)}
        return {"raised": None, **response_fields(response)}


def review_block() -> dict[str, Any]:
    """Block mode (the SDK's default): request_clearance polls /clearance-status until a person
    decides. The public API hands out no request id before it returns, so the id is taken from
    the SDK's first poll URL (GET /clearance-status/<id>) and announced on stderr as
    `PENDING <id>` for the test to approve it with the CLI."""
    announced: list[str] = []

    def announce(call: dict[str, Any]) -> None:
        match = re.search(r"/clearance-status/([^/?]+)", call["path"])
        if match and not announced:
            announced.append(match.group(1))
            print(f"PENDING {match.group(1)}", file=sys.stderr, flush=True)

    http_log.on_call = announce
    with client(review_mode="block") as sdk:
        response = sdk.request_clearance(refund(500))
        assert response.token, "an approval without a token"
        polls = http_log.paths("GET", "/clearance-status/")
        return {
            **response_fields(response),
            "announced_request_id": announced[0] if announced else None,
            "polls": len(polls),
            "poll_statuses": sorted({c["status"] for c in http_log.calls if "/clearance-status/" in c["path"]}),
            "token_verified_by_sdk": consumed_by(sdk, response.token),
            "claims": independently_verified_claims(response.token),
        }


def review_detach() -> dict[str, Any]:
    """Detach mode: ReviewPendingError carries a PendingApproval; the test approves with the
    CLI after `PENDING <id>`, and PendingApproval.wait() returns the approval. Protocol §3.4 /
    §13 item 20: a token obtained through wait() is verified by neither SDK, so the caller does
    it with verify_token (the documented way)."""
    with client(review_mode="detach") as sdk:
        try:
            sdk.request_clearance(refund(600))
        except ReviewPendingError as pending_error:
            pending = pending_error.pending_approval
        else:
            raise AssertionError("a 600 USD refund did not wait for review")
        print(f"PENDING {pending.request_id}", file=sys.stderr, flush=True)
        response = pending.wait(timeout=30)
        assert response.token, "an approval without a token"
        verified_by_wait = consumed_by(sdk, response.token)  # False: wait() does not verify
        return {
            **response_fields(response),
            "pending_request_id": pending.request_id,
            "token_verified_by_wait": verified_by_wait,
            "claims": independently_verified_claims(response.token),
        }


def review_cancel() -> dict[str, Any]:
    """Detach mode, then the agent cancels: PendingApproval.cancel() posts the denial, and
    PendingApproval.wait() (the public way to poll) reports the final state."""
    with client(review_mode="detach") as sdk:
        try:
            sdk.request_clearance(refund(700))
        except ReviewPendingError as pending_error:
            pending = pending_error.pending_approval
        else:
            raise AssertionError("a 700 USD refund did not wait for review")
        pending.cancel()
        cancel_calls = [c for c in http_log.calls if c["method"] == "POST" and "/reviews/" in c["path"]]
        try:
            after = pending.wait(timeout=10)
        except ClearanceDeniedError as error:
            final = {"raised": type(error).__name__, "reason": error.reason, "request_id": error.request_id}
        else:
            final = {"raised": None, **response_fields(after)}
        return {"request_id": pending.request_id, "cancel_calls": cancel_calls, "after_cancel": final}


def register_policy(policy_id: str) -> dict[str, Any]:
    policy = PolicyRegistration(
        policy_id=policy_id,
        description="Registered by the public Python SDK",
        rules=["Refunds need a receipt", "Never refund a closed account"],
        tools=["stripe_refund"],
    )
    with client() as sdk:
        first = sdk.register_policy(policy)
        again = sdk.register_policy(policy)
        return {"first": first.model_dump(), "again": again.model_dump(), "calls": http_log.calls}


def mint() -> dict[str, Any]:
    """With the decision cache on, a second identical approved call does not ask for a new
    decision: the SDK calls /mint-token with the cached approval and verifies the new token."""
    with client(decision_cache_enabled=True) as sdk:
        first = sdk.request_clearance(refund(46))
        second = sdk.request_clearance(refund(46))
        assert first.token and second.token, "an approval without a token"
        first_claims = independently_verified_claims(first.token)
        second_claims = independently_verified_claims(second.token)
        return {
            "first": response_fields(first),
            "second": response_fields(second),
            "calls": [f"{c['method']} {c['path']} {c['status']}" for c in http_log.calls if c["method"] == "POST"],
            "second_token_verified_by_sdk": consumed_by(sdk, second.token),
            "first_claims": first_claims,
            "second_claims": second_claims,
        }


def replay() -> dict[str, Any]:
    """One process presents the same token twice: the second verify_token raises."""
    with client(verify_jwt=False) as issuer:
        token = issuer.request_clearance(refund(47))
    assert token.token, "an approval without a token"
    with client() as sdk:
        claims = sdk.verify_token(token.token)
        try:
            sdk.verify_token(token.token)
        except ReplayDetectedError as error:
            second = {
                "raised": type(error).__name__,
                "is_token_verification_error": isinstance(error, TokenVerificationError),
                "jti": error.jti,
            }
        else:
            second = {"raised": None}
        return {"request_id": token.request_id, "first_claims": claims, "second": second}


def ledger(request_ids: list[str]) -> dict[str, Any]:
    with client() as sdk:
        # No arguments: the SDK fetches /ledger and /ledger/checkpoints itself.
        listed = sdk.verify_ledger_proof()
        entries = sdk.fetch_ledger(limit=500)
        checkpoints = sdk.fetch_ledger_checkpoints(limit=500)
        bundles = {}
        for request_id in request_ids:
            bundle = sdk.fetch_ledger_proof_bundle(request_id)
            result = sdk.verify_ledger_proof_bundle(bundle)
            bundles[request_id] = {
                "intact": result.intact,
                "error": result.error,
                "verified_entries": result.verified_entries,
                "verified_checkpoints": result.verified_checkpoints,
                "has_consistency": bundle.consistency is not None,
                "embedded_keys": len(bundle.keys),
                "event_approved": bundle.event.approved,
                "canonical_version": bundle.event.canonical_version,
            }
        # The single proofs parse into the SDK's models (it has no public verifier for them).
        inclusion = sdk.fetch_ledger_inclusion_proof(request_ids[0]) if request_ids else None
        ids = sorted(c.checkpoint_id for c in checkpoints)
        consistency = sdk.fetch_ledger_consistency_proof(ids[0], ids[-1]) if ids else None
        # Negative control: the same verifier, handed the same rows with one refund amount
        # changed, must notice (so it really recomputes event hashes over what the server
        # sent). The unchanged copy must still verify, or the control would prove nothing.
        rows = [entry.model_dump() for entry in entries]
        checkpoint_rows = [checkpoint.model_dump() for checkpoint in checkpoints]
        untampered_result = sdk.verify_ledger_proof(rows, checkpoint_rows)
        rows[0]["tool_args"] = {**rows[0]["tool_args"], "amount": 1}
        tampered_result = sdk.verify_ledger_proof(rows, checkpoint_rows)
        return {
            "intact": listed.intact,
            "error": listed.error,
            "verified_entries": listed.verified_entries,
            "verified_checkpoints": listed.verified_checkpoints,
            "coverage_note": listed.coverage_note,
            "latest_checkpoint_hash": listed.latest_checkpoint_hash,
            "entries": [
                {"request_id": e.request_id, "intent_hash": e.intent_hash, "leaf_index": e.leaf_index,
                 "canonical_version": e.canonical_version, "confidence": e.confidence, "approved": e.approved}
                for e in entries
            ],
            "checkpoint_ids": ids,
            "bundles": bundles,
            "inclusion": inclusion and {
                "request_id": inclusion.request_id, "leaf_index": inclusion.leaf_index, "tree_size": inclusion.tree_size,
                "path_length": len(inclusion.path), "checkpoint_id": inclusion.checkpoint.checkpoint_id,
                "checkpoint_tree_size": inclusion.checkpoint.tree_size,
            },
            "consistency": consistency and {
                "from": consistency.from_checkpoint.checkpoint_id, "to": consistency.to_checkpoint.checkpoint_id,
                "path_length": len(consistency.path),
            },
            "untampered": {"intact": untampered_result.intact, "error": untampered_result.error},
            "tampered": {"intact": tampered_result.intact, "error": tampered_result.error},
        }


SCENARIOS = {
    "approve": lambda args: approve(),
    "deny": lambda args: deny(),
    "review-block": lambda args: review_block(),
    "review-detach": lambda args: review_detach(),
    "review-cancel": lambda args: review_cancel(),
    "register-policy": lambda args: register_policy(args[0] if args else "python-compat"),
    "mint": lambda args: mint(),
    "replay": lambda args: replay(),
    "ledger": lambda args: ledger(args),
}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in SCENARIOS:
        raise SystemExit(f"usage: {argv[0]} {{{'|'.join(SCENARIOS)}}} [args...]")
    emit(SCENARIOS[argv[1]](argv[2:]))


if __name__ == "__main__":
    main(sys.argv)
