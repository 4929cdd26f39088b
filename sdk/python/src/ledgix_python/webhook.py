"""Verification of the vault's webhook signatures (`X-Ledgix-Signature`)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def verify_webhook(body: bytes | str, signature: str, secret: str) -> bool:
    """True when `signature` (`sha256=<hex>` or bare hex) is the HMAC-SHA256 of the raw
    request body under the endpoint's secret. Pass the body exactly as received; compare
    `X-Ledgix-Timestamp` / `X-Ledgix-Event-Id` yourself to reject replays."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = signature.strip().removeprefix(SIGNATURE_PREFIX).lower()
    expected = hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), digest.encode())
