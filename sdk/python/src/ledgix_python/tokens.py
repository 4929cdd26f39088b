"""A-JWT verification (wire protocol §4): EdDSA only, keys from the JWKS by `kid`, the
issuer, audience, subject and expiry checked, and every `jti` accepted once per client."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import jwt
import rfc8785

from ._cache import ExpiringCache
from .config import VaultConfig
from .exceptions import ReplayDetectedError, TokenVerificationError

ALGORITHM = "EdDSA"
SUBJECT = "clearance"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti"]
_MAX_AGE = re.compile(r"max-age=(\d+)")


def tool_args_hash(tool_args: Mapping[str, Any]) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 canonical JSON of the arguments: the token's
    `tool_args_hash` claim, so a tool can check it was called with the approved arguments."""
    return hashlib.sha256(rfc8785.dumps(dict(tool_args))).hexdigest()


def unverified_kid(token: str) -> str | None:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenVerificationError(f"malformed token: {error}") from error
    if header.get("alg") != ALGORITHM:
        raise TokenVerificationError(f"token algorithm {header.get('alg')!r} is not {ALGORITHM}")
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


class KeySet:
    """The cached JWKS: refreshed when older than its max-age (or `jwks_ttl_seconds`) and
    when a token names an unknown `kid`, so rotated and revoked keys are picked up."""

    def __init__(self, default_ttl: float) -> None:
        self._default_ttl = default_ttl
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._first: jwt.PyJWK | None = None
        self._fresh_until = 0.0

    def load(self, jwks: Mapping[str, Any], cache_control: str | None) -> None:
        keys: dict[str, jwt.PyJWK] = {}
        first: jwt.PyJWK | None = None
        for entry in jwks.get("keys", []):
            if not isinstance(entry, Mapping) or entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
                continue
            key = jwt.PyJWK(dict(entry), algorithm=ALGORITHM)
            first = first or key
            if isinstance(entry.get("kid"), str):
                keys[entry["kid"]] = key
        max_age = _MAX_AGE.search(cache_control or "")
        ttl = float(max_age.group(1)) if max_age else self._default_ttl
        with self._lock:
            self._keys, self._first, self._fresh_until = keys, first, time.monotonic() + ttl

    def find(self, kid: str | None) -> jwt.PyJWK | None:
        """The key for `kid`, or None when the set is stale or does not know it."""
        with self._lock:
            if time.monotonic() >= self._fresh_until:
                return None
            if self._keys:
                return self._keys.get(kid) if kid is not None else None
            return self._first


class TokenVerifier:
    def __init__(self, config: VaultConfig) -> None:
        self.config = config
        self.keys = KeySet(config.jwks_ttl_seconds)
        self._seen = ExpiringCache[bool](config.replay_cache_size, config.max_token_lifetime_seconds)

    def decode(self, token: str, key: jwt.PyJWK) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=self.config.jwt_audience,
                issuer=self.config.jwt_issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise TokenVerificationError(f"token rejected: {error}") from error
        if claims.get("sub") != SUBJECT:
            raise TokenVerificationError(f"token subject is {claims.get('sub')!r}, not {SUBJECT!r}")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise TokenVerificationError("token has no jti")
        # Remember it until it has surely expired (exp plus clock skew), at least the configured window.
        remember = max(self.config.max_token_lifetime_seconds, float(claims["exp"]) - time.time() + 30)
        if not self._seen.add_if_absent(jti, True, remember):
            raise ReplayDetectedError(jti)
        return claims
