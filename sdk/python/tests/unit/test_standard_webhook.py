"""WebhookVerifier: the Standard Webhooks signature, its tolerance and replay refusal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import pytest

from ledgix_python import LedgixError, WebhookReplayStore, WebhookVerificationError, WebhookVerifier

# The Standard Webhooks reference libraries' own test vector.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
KEY = base64.b64decode(SECRET.removeprefix("whsec_"))


def headers(**overrides: str | None) -> dict[str, str]:
    found = {"webhook-id": MSG_ID, "webhook-timestamp": str(TIMESTAMP), "webhook-signature": SIGNATURE}
    for name, value in overrides.items():
        found.pop(name.replace("_", "-"))
        if value is not None:
            found[name.replace("_", "-")] = value
    return found


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verifier_at(
    now: float, tolerance_seconds: float = 300, replay_store: WebhookReplayStore | None = None
) -> WebhookVerifier:
    return WebhookVerifier(SECRET, tolerance_seconds=tolerance_seconds, replay_store=replay_store, clock=lambda: now)


def outcome(verifier: WebhookVerifier, body: bytes | str, sent: dict[str, str]) -> str:
    try:
        verifier.verify(body, sent)
    except WebhookVerificationError as error:
        return error.reason
    return "accepted"


def test_accepts_the_reference_vector_and_returns_the_parsed_body() -> None:
    assert verifier_at(TIMESTAMP).verify(BODY, headers()) == {"test": 2432232314}
    assert verifier_at(TIMESTAMP).verify(BODY.decode(), headers()) == {"test": 2432232314}


@pytest.mark.parametrize(
    ("name", "body", "sent", "now", "want"),
    [
        ("no webhook-id", BODY, headers(webhook_id=None), TIMESTAMP, "missing_header"),
        ("no webhook-timestamp", BODY, headers(webhook_timestamp=None), TIMESTAMP, "missing_header"),
        ("no webhook-signature", BODY, headers(webhook_signature=None), TIMESTAMP, "missing_header"),
        ("a fractional timestamp", BODY, headers(webhook_timestamp=f"{TIMESTAMP}.5"), TIMESTAMP, "invalid_timestamp"),
        ("timestamp moved 1 s", BODY, headers(webhook_timestamp=str(TIMESTAMP + 1)), TIMESTAMP, "signature_mismatch"),
        ("another id", BODY, headers(webhook_id="msg_other"), TIMESTAMP, "signature_mismatch"),
        ("another body", b'{"test": 2432232315}', headers(), TIMESTAMP, "signature_mismatch"),
        (
            "another secret's signature",
            BODY,
            headers(webhook_signature=sign(os.urandom(32), MSG_ID, TIMESTAMP, BODY)),
            TIMESTAMP,
            "signature_mismatch",
        ),
        ("another version", BODY, headers(webhook_signature="v1a," + SIGNATURE[3:]), TIMESTAMP, "signature_mismatch"),
        ("a truncated signature", BODY, headers(webhook_signature=SIGNATURE[:20]), TIMESTAMP, "signature_mismatch"),
        ("signed 301 s ago", BODY, headers(), TIMESTAMP + 301, "timestamp_too_old"),
        ("signed 301 s in the future", BODY, headers(), TIMESTAMP - 301, "timestamp_too_new"),
        ("signed 300 s ago", BODY, headers(), TIMESTAMP + 300, "accepted"),
        ("signed 300 s in the future", BODY, headers(), TIMESTAMP - 300, "accepted"),
        (
            "a wrong signature before the right one",
            BODY,
            headers(webhook_signature=f"v1,{'A' * 43}= v1a,xyz {SIGNATURE}"),
            TIMESTAMP,
            "accepted",
        ),
    ],
)
def test_checks(name: str, body: bytes, sent: dict[str, str], now: float, want: str) -> None:
    assert outcome(verifier_at(now), body, sent) == want, name


def test_raises_a_ledgix_error_that_says_what_failed() -> None:
    with pytest.raises(LedgixError, match="signed 400 s ago") as raised:
        verifier_at(TIMESTAMP + 400).verify(BODY, headers())
    assert isinstance(raised.value, WebhookVerificationError)
    assert raised.value.reason == "timestamp_too_old"


def test_takes_a_configured_tolerance() -> None:
    assert outcome(verifier_at(TIMESTAMP + 61, tolerance_seconds=60), BODY, headers()) == "timestamp_too_old"


def test_refuses_a_delivery_it_accepted_before_but_not_the_same_event_retried_later() -> None:
    verifier = verifier_at(TIMESTAMP + 5)
    assert outcome(verifier, BODY, headers()) == "accepted"
    assert outcome(verifier, BODY, headers()) == "replayed"
    retry = headers(webhook_timestamp=str(TIMESTAMP + 3), webhook_signature=sign(KEY, MSG_ID, TIMESTAMP + 3, BODY))
    assert outcome(verifier, BODY, retry) == "accepted"


def test_records_each_delivery_in_a_given_store_until_its_timestamp_leaves_the_tolerance() -> None:
    added: list[tuple[str, float]] = []

    class Store:
        def add(self, key: str, expires_at: float) -> bool:
            added.append((key, expires_at))
            return len(added) == 1

    verifier = verifier_at(TIMESTAMP, replay_store=Store())
    verifier.verify(BODY, headers())
    assert outcome(verifier, BODY, headers()) == "replayed"
    assert added[0] == (f"{MSG_ID}.{TIMESTAMP}", TIMESTAMP + 300)


def test_reads_header_names_in_any_case() -> None:
    sent = {name.title(): value for name, value in headers().items()}
    assert verifier_at(TIMESTAMP).verify(BODY, sent) == {"test": 2432232314}


def test_takes_a_secret_in_either_base64_alphabet_as_the_same_key() -> None:
    key = os.urandom(32)
    sent = {
        "webhook-id": "evt_1",
        "webhook-timestamp": "1800000000",
        "webhook-signature": sign(key, "evt_1", 1800000000, b"{}"),
    }
    url_safe = "whsec_" + base64.urlsafe_b64encode(key).decode().rstrip("=")  # how secrets were issued before
    for secret in (url_safe, "whsec_" + base64.b64encode(key).decode()):
        assert WebhookVerifier(secret, clock=lambda: 1800000000).verify(b"{}", sent) == {}, secret


@pytest.mark.parametrize("secret", ["", "whsec_", "whsec_not base64!", SECRET.removeprefix("whsec_")])
def test_refuses_a_malformed_secret_at_once(secret: str) -> None:
    with pytest.raises(LedgixError):
        WebhookVerifier(secret)
