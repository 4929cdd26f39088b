"""Verification of the vault's Standard Webhooks signature (standardwebhooks.com):
`webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`
under the bytes the endpoint secret's base64 encodes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .exceptions import LedgixError, WebhookVerificationError

_SECRET = re.compile(r"whsec_([A-Za-z0-9+/_-]+)={0,2}")
_TIMESTAMP = re.compile(r"\d{1,12}")


class WebhookReplayStore(Protocol):
    """Where a verifier remembers the deliveries it accepted. The default lives in this
    process's memory; pass a shared one (e.g. Redis `SET key 1 NX PXAT`) when several
    processes receive the same endpoint."""

    def add(self, key: str, expires_at: float) -> bool:
        """Records `key` until `expires_at` (seconds since the epoch); False when it is
        recorded already and not expired."""
        ...


class _MemoryReplayStore:
    """Accepted deliveries until they expire: only verified, fresh ones are added, so it
    holds at most two tolerances' worth."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._expiries: dict[str, float] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def add(self, key: str, expires_at: float) -> bool:
        with self._lock:
            now = self._clock()
            self._expiries = {seen: until for seen, until in self._expiries.items() if until > now}
            if key in self._expiries:
                return False
            self._expiries[key] = expires_at
            return True


class WebhookVerifier:
    """Checks deliveries to one endpoint. Unlike `verify_webhook`, it refuses a delivery whose
    timestamp is more than `tolerance_seconds` from now either way, or which it has accepted
    before. Keep one per endpoint for the life of the process: it remembers what it accepted.

    `secret` is the endpoint's `whsec_…` secret, in either base64 alphabet (secrets issued
    before the standard signature use the URL-safe one)."""

    def __init__(
        self,
        secret: str,
        *,
        tolerance_seconds: float = 300,
        replay_store: WebhookReplayStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        found = _SECRET.fullmatch(secret)
        if not found:
            raise LedgixError("A webhook secret is whsec_ followed by base64")
        text = found.group(1)
        # urlsafe_b64decode reads both alphabets; the padding is restored, not trusted.
        self._key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        self._tolerance = tolerance_seconds
        self._clock = clock
        self._replay_store = replay_store or _MemoryReplayStore(clock)

    def verify(self, body: bytes | str, headers: Mapping[str, str]) -> dict[str, Any]:
        """Returns the delivery's event (`{id, type, created_at, tenant_id, data}`), or raises
        `WebhookVerificationError` naming the failed check. Pass the body exactly as received.

        A delivery is remembered as its signed id and timestamp: a replay of it is refused,
        but the vault's own retry of the same event (same `webhook-id`, a new timestamp)
        passes; drop repeated events by their id."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        lowered = {name.lower(): value for name, value in headers.items()}
        msg_id, timestamp = lowered.get("webhook-id"), lowered.get("webhook-timestamp")
        signatures = lowered.get("webhook-signature")
        if not (msg_id and timestamp and signatures):
            raise WebhookVerificationError(
                "missing_header", "A webhook-id, webhook-timestamp or webhook-signature header is missing"
            )
        if not _TIMESTAMP.fullmatch(timestamp):
            raise WebhookVerificationError("invalid_timestamp", f"webhook-timestamp {timestamp!r} is not whole seconds")
        expected = hmac.new(self._key, f"{msg_id}.{timestamp}.".encode() + raw, hashlib.sha256).digest()
        if not any(_matches(signature, expected) for signature in signatures.split(" ")):
            raise WebhookVerificationError(
                "signature_mismatch", "No v1 signature in webhook-signature matches this delivery and secret"
            )
        age = self._clock() - int(timestamp)
        if age > self._tolerance:
            raise WebhookVerificationError("timestamp_too_old", f"The delivery was signed {round(age)} s ago")
        if age < -self._tolerance:
            raise WebhookVerificationError("timestamp_too_new", f"The delivery is signed {round(-age)} s in the future")
        # Past timestamp + tolerance the age check refuses it anyway, so it need not be remembered longer.
        if not self._replay_store.add(f"{msg_id}.{timestamp}", int(timestamp) + self._tolerance):
            raise WebhookVerificationError("replayed", f"Delivery {msg_id} at {timestamp} was accepted before")
        event: dict[str, Any] = json.loads(raw)
        return event


def _matches(signature: str, expected: bytes) -> bool:
    """One `v1,<base64>` entry of webhook-signature, compared in constant time; other
    versions never match."""
    version, _, encoded = signature.partition(",")
    if version != "v1":
        return False
    try:
        given = base64.b64decode(encoded, validate=True)
    except ValueError:
        return False
    return hmac.compare_digest(given, expected)
