"""`LedgixClient`: the vault API, sync and async, with one implementation of each call (see `_flow`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx
import rfc8785

from . import _context, _edited
from ._cache import ExpiringCache
from ._flow import AsyncDriver, Flow, RetryPolicy, Send, Sleep, SyncDriver, T, require_success, send_with_retries
from ._trace import trace_headers
from ._version import __version__
from .config import VaultConfig
from .counterparty import infer_counterparty
from .exceptions import (
    ManualReviewTimeoutError,
    PolicyRegistrationError,
    ReviewPendingError,
    TokenVerificationError,
    VaultStatusError,
)
from .ledger import verify as ledger_verify
from .models import (
    ClearanceRequest,
    ClearanceResponse,
    ConsistencyProof,
    InclusionProof,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerProofBundle,
    LedgerVerificationResult,
    PolicyRegistration,
    PolicyRegistrationResponse,
)
from .pending import PendingApproval, raise_if_denied
from .tokens import TokenVerifier, unverified_kid

MAX_LEDGER_LIMIT = 500
_MAX_CACHE_KEY_ARGS = 65_536


def _clamp(limit: int) -> int:
    return max(1, min(MAX_LEDGER_LIMIT, int(limit)))


def _idempotency(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key or str(uuid.uuid4())}


class LedgixClient:
    """Client of the Ledgix vault API.

    Every call has a sync and an async (`a…`) form. `http_client` / `async_http_client`
    let you bring your own httpx clients (proxies, transports, event hooks).
    """

    def __init__(
        self,
        config: VaultConfig | None = None,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        _parent_jti: str | None = None,
    ) -> None:
        self.config = config or VaultConfig()
        self._parent_jti = _parent_jti
        self._own_sync = http_client is None
        self._own_async = async_http_client is None
        self._sync_http = http_client
        self._async_http = async_http_client
        self._retry = RetryPolicy(self.config.max_retries, self.config.retry_base_delay)
        self._tokens = TokenVerifier(self.config)
        self._decisions: ExpiringCache[ClearanceResponse] | None = (
            ExpiringCache(self.config.decision_cache_max_entries, self.config.decision_cache_ttl_seconds)
            if self.config.decision_cache_enabled
            else None
        )

    # ------------------------------------------------------------------ plumbing

    def _headers(self) -> dict[str, str]:
        # Read per call, in the caller's context: the span active when the call was made.
        headers = {"Content-Type": "application/json", "User-Agent": f"ledgix-python/{__version__}", **trace_headers()}
        if self.config.vault_api_key:
            headers["X-Vault-API-Key"] = self.config.vault_api_key
        return headers

    def _base_url(self) -> str:
        return self.config.vault_url.rstrip("/")

    def _run(self, flow: Flow[T]) -> T:
        if self._sync_http is None:
            self._sync_http = httpx.Client(timeout=self.config.vault_timeout, follow_redirects=False)
        return SyncDriver(self._sync_http, self._base_url(), self._headers()).run(flow)

    async def _arun(self, flow: Flow[T]) -> T:
        if self._async_http is None:
            self._async_http = httpx.AsyncClient(timeout=self.config.vault_timeout, follow_redirects=False)
        return await AsyncDriver(self._async_http, self._base_url(), self._headers()).run(flow)

    def _call(self, send: Send, what: str) -> Flow[httpx.Response]:
        response = yield from send_with_retries(send, self._retry)
        return require_success(response, what, self._base_url())

    def _get_json(self, path: str, params: dict[str, str | int] | None = None) -> Flow[Any]:
        response = yield from self._call(Send("GET", path, params=params), f"GET {path}")
        return response.json()

    def close(self) -> None:
        if self._sync_http is not None and self._own_sync:
            self._sync_http.close()
            self._sync_http = None

    async def aclose(self) -> None:
        if self._async_http is not None and self._own_async:
            await self._async_http.aclose()
            self._async_http = None
        self.close()

    def __enter__(self) -> LedgixClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    async def __aenter__(self) -> LedgixClient:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()

    def create_delegated_client(self, parent_jti: str) -> LedgixClient:
        """A client for a sub-agent: its requests carry `parent_jti` (delegation)."""
        return LedgixClient(self.config, _parent_jti=parent_jti)

    def clear_cache(self) -> None:
        """Forget every cached approval (decision cache)."""
        if self._decisions is not None:
            self._decisions.clear()

    # ------------------------------------------------------------------ clearance

    def request_clearance(self, request: ClearanceRequest, *, idempotency_key: str | None = None) -> ClearanceResponse:
        """Ask for a decision. Returns an approval (token verified unless `verify_jwt` is
        off); raises `ClearanceDeniedError`, `ReviewPendingError` (detach mode),
        `ManualReviewTimeoutError`, `VaultConnectionError`, `TokenVerificationError`.

        When a reviewer edited the arguments, the approval says so (`args_edited`, `tool_args`),
        its token is checked to bind the approved arguments, and a warning on the
        `ledgix_python` logger names the changed fields."""
        return self._run(self._clearance(request, idempotency_key))

    async def arequest_clearance(
        self, request: ClearanceRequest, *, idempotency_key: str | None = None
    ) -> ClearanceResponse:
        return await self._arun(self._clearance(request, idempotency_key))

    def _complete(self, request: ClearanceRequest) -> ClearanceRequest:
        """Fills what the caller left unset: agent and session (VaultContext, then config),
        principal, delegation, and counterparty hints; the caller's values always win."""
        overrides = _context.overrides.get()
        updates: dict[str, Any] = {
            "agent_id": request.agent_id or overrides.get("agent_id") or self.config.agent_id,
            "session_id": request.session_id
            if request.session_id is not None
            else overrides.get("session_id", self.config.session_id),
        }
        if request.human_principal is None and self.config.principal_id:
            updates["human_principal"] = self.config.principal_id
        if request.parent_jti is None and self._parent_jti:
            updates["parent_jti"] = self._parent_jti
        for field, value in infer_counterparty(request.tool_name, request.tool_args).items():
            if getattr(request, field) is None:
                updates[field] = value
        return request.model_copy(update=updates)

    def _decision_key(self, request: ClearanceRequest) -> str | None:
        if self._decisions is None:
            return None
        try:
            args = rfc8785.dumps(request.tool_args)
        except (rfc8785.CanonicalizationError, TypeError, ValueError):
            return None
        if len(args) > _MAX_CACHE_KEY_ARGS:
            return None
        policy_id = str(request.context.get("policy_id") or "")
        return "\x00".join([request.agent_id or "", request.tool_name, args.decode(), policy_id])

    def _clearance(self, request: ClearanceRequest, idempotency_key: str | None) -> Flow[ClearanceResponse]:
        request = self._complete(request)
        cache_key = self._decision_key(request)
        cached = self._decisions.get(cache_key) if self._decisions is not None and cache_key else None
        if cached is not None:
            minted = yield from self._mint(request, cached, idempotency_key)
            if self.config.verify_jwt and minted.token:
                yield from self._verify(minted.token)
            return minted
        response = yield from self._call(
            Send(
                "POST",
                "/request-clearance",
                json=request.model_dump(mode="json"),
                headers=_idempotency(idempotency_key),
            ),
            "POST /request-clearance",
        )
        clearance = ClearanceResponse.model_validate(response.json())
        if clearance.is_pending:
            if self.config.review_mode == "detach":
                raise ReviewPendingError(PendingApproval(self, clearance))
            clearance = yield from self._poll(clearance.request_id, self.config.review_timeout)
        raise_if_denied(clearance)
        # An edit that does not say what was approved is refused, whether tokens are verified or not.
        _edited.approved_args(clearance, request.tool_args)
        if self.config.verify_jwt and clearance.token:
            claims = yield from self._verify(clearance.token)
            if clearance.args_edited:
                _edited.check_token_binds(claims, clearance)
        if clearance.args_edited:
            _edited.warn_edited(request.tool_name, clearance, request.tool_args)
        if cache_key and self._decisions is not None and _cacheable(clearance):
            self._decisions.put(cache_key, clearance)
        return clearance

    def _poll(self, request_id: str, timeout: float) -> Flow[ClearanceResponse]:
        """Polls `/clearance-status` every `review_poll_interval` until the decision is
        final; `ManualReviewTimeoutError` once `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ManualReviewTimeoutError(request_id)
            yield Sleep(min(self.config.review_poll_interval, remaining))
            body = yield from self._get_json(f"/clearance-status/{quote(request_id, safe='')}")
            clearance = ClearanceResponse.model_validate(body)
            if not clearance.is_pending:
                return clearance
            request_id = clearance.request_id or request_id

    def _mint(
        self, request: ClearanceRequest, cached: ClearanceResponse, idempotency_key: str | None
    ) -> Flow[ClearanceResponse]:
        """A fresh token for an approval cached by this client (`POST /mint-token`)."""
        body = {
            "tool_name": request.tool_name,
            "tool_args": request.tool_args,
            "agent_id": request.agent_id or "",
            "session_id": request.session_id or "",
            "policy_id": str(request.context.get("policy_id") or ""),
            "policy_version_id": cached.policy_version_id or "",
            "policy_content_hash": cached.policy_content_hash or "",
            "original_request_id": cached.request_id,
            "confidence_bucket": cached.confidence_bucket,
            "reason": cached.reason,
            "human_principal": request.human_principal,
            "destination_uri": request.destination_uri or "",
            "destination_provider": request.destination_provider or "",
            "destination_account_ref": request.destination_account_ref or "",
            "data_categories": request.data_categories or [],
            "purpose": request.purpose or "",
            "processing_register_ref": request.processing_register_ref or "",
            "dataset_ref": request.dataset_ref or "",
        }
        response = yield from self._call(
            Send("POST", "/mint-token", json=body, headers=_idempotency(idempotency_key)), "POST /mint-token"
        )
        minted = response.json()
        return cached.model_copy(
            update={
                "token": minted.get("token"),
                "request_id": minted.get("request_id", ""),
                "reason": minted.get("reason") or cached.reason,
            }
        )

    # ------------------------------------------------------------------ policies

    def register_policy(self, policy: PolicyRegistration | None = None, **fields: Any) -> PolicyRegistrationResponse:
        """Registers a plain-English policy: `register_policy(PolicyRegistration(...))` or
        `register_policy(policy_id=..., rules=[...])`. Raises `PolicyRegistrationError`."""
        return self._run(self._register(policy or PolicyRegistration(**fields)))

    async def aregister_policy(
        self, policy: PolicyRegistration | None = None, **fields: Any
    ) -> PolicyRegistrationResponse:
        return await self._arun(self._register(policy or PolicyRegistration(**fields)))

    def _register(self, policy: PolicyRegistration) -> Flow[PolicyRegistrationResponse]:
        try:
            response = yield from self._call(
                Send("POST", "/register-policy", json=policy.model_dump(), headers=_idempotency(None)),
                "POST /register-policy",
            )
        except VaultStatusError as error:
            raise PolicyRegistrationError(str(error)) from error
        return PolicyRegistrationResponse.model_validate(response.json())

    # ------------------------------------------------------------------ tokens

    def fetch_jwks(self) -> dict[str, Any]:
        """`GET /.well-known/jwks.json` (also refreshes the keys used to verify tokens)."""
        return self._run(self._fetch_jwks())

    async def afetch_jwks(self) -> dict[str, Any]:
        return await self._arun(self._fetch_jwks())

    def _fetch_jwks(self) -> Flow[dict[str, Any]]:
        response = yield from self._call(Send("GET", "/.well-known/jwks.json"), "GET /.well-known/jwks.json")
        jwks: dict[str, Any] = response.json()
        self._tokens.keys.load(jwks, response.headers.get("Cache-Control"))
        return jwks

    def verify_token(self, token: str) -> dict[str, Any]:
        """Verifies an A-JWT and returns its claims: EdDSA signature by a JWKS key (refetched
        on an unknown `kid`), `iss`, `aud`, `sub`, `exp`, and single use of `jti`
        (`ReplayDetectedError` the second time)."""
        return self._run(self._verify(token))

    async def averify_token(self, token: str) -> dict[str, Any]:
        return await self._arun(self._verify(token))

    def _verify(self, token: str) -> Flow[dict[str, Any]]:
        kid = unverified_kid(token)
        key = self._tokens.keys.find(kid)
        if key is None:
            yield from self._fetch_jwks()
            key = self._tokens.keys.find(kid)
        if key is None:
            raise TokenVerificationError(f"no key in the JWKS for kid {kid!r}")
        return self._tokens.decode(token, key)

    # ------------------------------------------------------------------ ledger

    def fetch_ledger(self, limit: int = 100) -> list[LedgerEntry]:
        """The tenant's most recent ledger entries (at most 500)."""
        return self._run(self._fetch_ledger(limit))

    async def afetch_ledger(self, limit: int = 100) -> list[LedgerEntry]:
        return await self._arun(self._fetch_ledger(limit))

    def _fetch_ledger(self, limit: int) -> Flow[list[LedgerEntry]]:
        body = yield from self._get_json("/ledger", {"limit": _clamp(limit)})
        return [LedgerEntry.model_validate(entry) for entry in body.get("entries") or []]

    def fetch_ledger_checkpoints(self, limit: int = 24) -> list[LedgerCheckpoint]:
        """The tenant's most recent signed checkpoints (at most 500)."""
        return self._run(self._fetch_checkpoints(limit))

    async def afetch_ledger_checkpoints(self, limit: int = 24) -> list[LedgerCheckpoint]:
        return await self._arun(self._fetch_checkpoints(limit))

    fetch_ledger_manifests = fetch_ledger_checkpoints
    afetch_ledger_manifests = afetch_ledger_checkpoints

    def _fetch_checkpoints(self, limit: int) -> Flow[list[LedgerCheckpoint]]:
        body = yield from self._get_json("/ledger/checkpoints", {"limit": _clamp(limit)})
        return [LedgerCheckpoint.model_validate(checkpoint) for checkpoint in body.get("checkpoints") or []]

    def fetch_ledger_inclusion_proof(self, request_id: str) -> InclusionProof:
        """Inclusion of a decision in the latest checkpoint. A decision not yet in a
        checkpoint raises `VaultStatusError` with `code == "not_yet_integrated"`."""
        return self._run(self._fetch_inclusion(request_id))

    async def afetch_ledger_inclusion_proof(self, request_id: str) -> InclusionProof:
        return await self._arun(self._fetch_inclusion(request_id))

    def _fetch_inclusion(self, request_id: str) -> Flow[InclusionProof]:
        body = yield from self._get_json("/ledger/proof/inclusion", {"request_id": request_id})
        return InclusionProof.model_validate(body)

    def fetch_ledger_consistency_proof(
        self,
        from_: int | None = None,
        to: int | None = None,
        *,
        from_checkpoint_id: int | None = None,
        to_checkpoint_id: int | None = None,
    ) -> ConsistencyProof:
        """Consistency between two checkpoint ids (`from_`, `to`)."""
        return self._run(self._fetch_consistency(*_checkpoint_ids(from_, to, from_checkpoint_id, to_checkpoint_id)))

    async def afetch_ledger_consistency_proof(
        self,
        from_: int | None = None,
        to: int | None = None,
        *,
        from_checkpoint_id: int | None = None,
        to_checkpoint_id: int | None = None,
    ) -> ConsistencyProof:
        ids = _checkpoint_ids(from_, to, from_checkpoint_id, to_checkpoint_id)
        return await self._arun(self._fetch_consistency(*ids))

    def _fetch_consistency(self, from_: int, to: int) -> Flow[ConsistencyProof]:
        body = yield from self._get_json("/ledger/proof/consistency", {"from": from_, "to": to})
        return ConsistencyProof.model_validate(body)

    def fetch_ledger_proof_bundle(self, request_id: str) -> LedgerProofBundle:
        """Entry, inclusion, consistency to the latest checkpoint and signing keys of one decision."""
        return self._run(self._fetch_bundle(request_id))

    async def afetch_ledger_proof_bundle(self, request_id: str) -> LedgerProofBundle:
        return await self._arun(self._fetch_bundle(request_id))

    def _fetch_bundle(self, request_id: str) -> Flow[LedgerProofBundle]:
        body = yield from self._get_json("/ledger/proof/bundle", {"request_id": request_id})
        return LedgerProofBundle.model_validate(body)

    def verify_ledger_proof(
        self,
        entries: list[LedgerEntry] | list[Mapping[str, Any]] | None = None,
        checkpoints: list[LedgerCheckpoint] | list[Mapping[str, Any]] | None = None,
    ) -> LedgerVerificationResult:
        """Verifies entries and a checkpoint chain (fetched when not given) against the
        JWKS. Returns a result with `intact` and, on failure, `error` and `failed_check`."""
        return self._run(self._verify_log(entries, checkpoints))

    async def averify_ledger_proof(
        self,
        entries: list[LedgerEntry] | list[Mapping[str, Any]] | None = None,
        checkpoints: list[LedgerCheckpoint] | list[Mapping[str, Any]] | None = None,
    ) -> LedgerVerificationResult:
        return await self._arun(self._verify_log(entries, checkpoints))

    def _verify_log(
        self,
        entries: list[LedgerEntry] | list[Mapping[str, Any]] | None,
        checkpoints: list[LedgerCheckpoint] | list[Mapping[str, Any]] | None,
    ) -> Flow[LedgerVerificationResult]:
        if entries is None:
            entries = yield from self._fetch_ledger(MAX_LEDGER_LIMIT)
        if checkpoints is None:
            checkpoints = yield from self._fetch_checkpoints(MAX_LEDGER_LIMIT)
        jwks = yield from self._fetch_jwks()
        return ledger_verify.verify_log(
            [LedgerEntry.model_validate(e) for e in entries],
            [LedgerCheckpoint.model_validate(c) for c in checkpoints],
            ledger_verify.keys_from_jwks(jwks),
        )

    def verify_ledger_proof_bundle(
        self,
        bundle: LedgerProofBundle | Mapping[str, Any],
        *,
        witnesses: Sequence[str] = (),
        min_witnesses: int | None = None,
        origin: str | None = None,
    ) -> LedgerVerificationResult:
        """Verifies a proof bundle offline with its embedded keys (the JWKS is fetched only
        when it embeds none). With `witnesses` (C2SP cosignature verifier keys) or
        `min_witnesses`, its checkpoint note must carry that many of their cosignatures
        (default: all given); with `origin` (`<LEDGIX_LOG_ORIGIN>/<tenant id>`), be of that log."""
        return self._run(self._verify_bundle(bundle, witnesses, min_witnesses, origin))

    async def averify_ledger_proof_bundle(
        self,
        bundle: LedgerProofBundle | Mapping[str, Any],
        *,
        witnesses: Sequence[str] = (),
        min_witnesses: int | None = None,
        origin: str | None = None,
    ) -> LedgerVerificationResult:
        return await self._arun(self._verify_bundle(bundle, witnesses, min_witnesses, origin))

    def _verify_bundle(
        self,
        bundle: LedgerProofBundle | Mapping[str, Any],
        witnesses: Sequence[str],
        min_witnesses: int | None,
        origin: str | None,
    ) -> Flow[LedgerVerificationResult]:
        parsed = LedgerProofBundle.model_validate(bundle)
        fallback: dict[str, Any] = {}
        if not any(key.public_jwk for key in parsed.keys):
            jwks = yield from self._fetch_jwks()
            fallback = ledger_verify.keys_from_jwks(jwks)
        return ledger_verify.verify_bundle(parsed, fallback, witnesses, min_witnesses, origin)


def _cacheable(clearance: ClearanceResponse) -> bool:
    # A reviewer's edit approves one call; a repeat of the call as first asked goes to the vault again.
    return (
        clearance.approved and not clearance.args_edited and bool(clearance.policy_version_id) and bool(clearance.token)
    )


def _checkpoint_ids(
    from_: int | None, to: int | None, from_checkpoint_id: int | None, to_checkpoint_id: int | None
) -> tuple[int, int]:
    first = from_ if from_ is not None else from_checkpoint_id
    last = to if to is not None else to_checkpoint_id
    if first is None or last is None:
        raise TypeError("fetch_ledger_consistency_proof needs two checkpoint ids: from_ and to")
    return first, last
