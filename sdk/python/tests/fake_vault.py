"""A real HTTP server on 127.0.0.1 that answers scripted responses and records every
request, for the paths the real vault cannot be made to take on demand (5xx, long 429 runs,
dropped connections, key rotation)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledgix_python import tool_args_hash

VECTORS_SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


Route = Callable[[Recorded], Reply]


class FakeVault:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.queues: dict[str, list[Reply]] = {}
        self.routes: dict[str, Route] = {}
        self.signer = TestSigner()
        self.routes["GET /.well-known/jwks.json"] = lambda _: Reply(body=self.signer.jwks())
        vault = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                recorded = Recorded(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw) if raw else None,
                    time.monotonic(),
                )
                vault.requests.append(recorded)
                reply = vault.reply_for(recorded)
                if reply.drop:
                    self.close_connection = True
                    return
                data = json.dumps(reply.body if reply.body is not None else {}).encode()
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def script(self, route: str, *replies: Reply) -> None:
        """Answer `route` ("POST /request-clearance") with these replies in order, then 404."""
        self.queues.setdefault(route, []).extend(replies)

    def reply_for(self, request: Recorded) -> Reply:
        path = request.path.split("?", 1)[0]
        route = f"{request.method} {path}"
        queue = self.queues.get(route)
        if queue:
            return queue.pop(0)
        for prefix, handler in self.routes.items():
            if route == prefix or (prefix.endswith("*") and route.startswith(prefix[:-1])):
                return handler(request)
        return Reply(404, {"error": {"code": "not_found", "message": route}})

    def approve_edited(
        self, approved: dict[str, Any] | None, request_id: str = "req_edited", token_args: Any = None
    ) -> None:
        """Every clearance goes to review, and the reviewer approves `approved` instead of the call
        as asked: status answers carry `tool_args`, `args_edited: true` and a token bound to
        `approved` (or to `token_args`, to play a vault whose token disagrees)."""
        bound = approved if token_args is None else token_args
        self.routes["POST /request-clearance"] = lambda _: Reply(
            body={"status": "pending_review", "decision_status": "approved_pending_review", "request_id": request_id}
        )

        def decided(_: Recorded) -> Reply:
            asked = self.sent("POST /request-clearance")[-1].body or {}
            token = self.signer.token(
                tool=asked.get("tool_name", ""), request_id=request_id, tool_args_hash=tool_args_hash(bound or {})
            )
            body = {"status": "approved", "decision_status": "approved", "token": token, "request_id": request_id}
            return Reply(body={**body, "reason": "edited and approved", "tool_args": approved, "args_edited": True})

        self.routes["GET /clearance-status/*"] = decided

    def sent(self, route: str) -> list[Recorded]:
        method, path = route.split(" ", 1)
        return [r for r in self.requests if r.method == method and r.path.split("?", 1)[0] == path]

    def __enter__(self) -> FakeVault:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class TestSigner:
    """Issues A-JWTs like the vault, with the protocol's test key (§12.1) or a rotated one."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {
            "vault-test-2026-01": Ed25519PrivateKey.from_private_bytes(VECTORS_SEED)
        }
        self.active = "vault-test-2026-01"
        self.counter = 0

    def rotate(self, kid: str) -> None:
        self.keys[kid] = Ed25519PrivateKey.generate()
        self.active = kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, private in self.keys.items():
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
        return {"keys": keys}

    def token(self, **overrides: Any) -> str:
        self.counter += 1
        now = int(time.time())
        claims = {
            "iss": "alcv-vault",
            "sub": "clearance",
            "aud": ["ledgix-sdk"],
            "iat": now,
            "exp": now + 300,
            "jti": f"jti_test_{self.counter}_{now}",
            "tool": "stripe_refund",
        }
        claims.update(overrides)
        kid = claims.pop("kid", self.active)
        return jwt.encode(claims, self.keys[self.active], algorithm="EdDSA", headers={"kid": kid, "typ": "JWT"})

    def approval(self, request_id: str = "req_1", **token_claims: Any) -> dict[str, Any]:
        return {
            "status": "approved",
            "decision_status": "approved",
            "token": self.token(**token_claims),
            "reason": "ok",
            "request_id": request_id,
            "confidence_bucket": "high",
            "policy_version_id": "pv_1",
            "policy_content_hash": "sha256:abc",
        }
