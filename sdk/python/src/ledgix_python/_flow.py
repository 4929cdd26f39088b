"""Sans-I/O call flows: the client's logic is written once, as generators that yield
`Send` and `Sleep` steps, and is driven by a sync driver (httpx.Client, time.sleep) or an
async one (httpx.AsyncClient, asyncio.sleep). A transport failure is thrown into the flow
at the `yield` that sent the request."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from .exceptions import QueueSaturatedError, VaultConnectionError, VaultStatusError, error_code

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
MAX_CONSECUTIVE_429 = 10
MAX_RETRY_AFTER_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class Send:
    method: str
    path: str
    json: Any = None
    params: dict[str, str | int] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sleep:
    seconds: float


Step = Send | Sleep
Flow = Generator[Step, "httpx.Response | None", T]


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    base_delay: float

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(30 s, base * 2^attempt)]."""
        return random.uniform(0.0, min(MAX_BACKOFF_SECONDS, self.base_delay * 2**attempt))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header; None for a missing, negative or HTTP-date value."""
    try:
        seconds = float((value or "").strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER_SECONDS)


def send_with_retries(send: Send, policy: RetryPolicy) -> Flow[httpx.Response]:
    """One logical call: retries connection errors and 500/502/503/504 up to `max_retries`
    times with jittered backoff; waits out 429s (Retry-After, capped at 60 s) without
    spending that budget, until the 11th consecutive 429. The same `send` (and so the same
    Idempotency-Key) goes out on every attempt."""
    attempt = 0
    consecutive_429 = 0
    last_retry_after: float | None = None
    while True:
        try:
            response = yield send
        except httpx.TransportError as error:
            if attempt >= policy.max_retries:
                raise VaultConnectionError(
                    f"could not reach the Ledgix vault at {_url_of(error, send)} ({_unreachable_because(error)}); "
                    "set LEDGIX_VAULT_URL"
                ) from error
            yield Sleep(policy.backoff(attempt))
            attempt += 1
            continue
        assert response is not None
        if response.status_code == 429:
            consecutive_429 += 1
            if consecutive_429 > MAX_CONSECUTIVE_429:
                raise QueueSaturatedError(MAX_CONSECUTIVE_429, last_retry_after)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                last_retry_after = retry_after
            yield Sleep(retry_after if retry_after is not None else policy.backoff(attempt))
            continue
        consecutive_429 = 0
        if response.status_code in RETRYABLE_STATUSES and attempt < policy.max_retries:
            yield Sleep(policy.backoff(attempt))
            attempt += 1
            continue
        return response


def _url_of(error: httpx.TransportError, send: Send) -> str:
    try:
        return str(error.request.url)
    except RuntimeError:  # an error raised without a request (a custom transport's)
        return send.path


def _unreachable_because(error: httpx.TransportError) -> str:
    """Why no answer came, in a few words (httpx gives `[Errno 111] Connection refused`)."""
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    text = str(error).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "name resolution" in text or "nodename nor servname" in text:
        return "host not found"
    return str(error) or type(error).__name__


def api_base_hint(response: httpx.Response, base_url: str) -> str | None:
    """The base URL the caller probably meant, when a 404 that is not a Ledgix error came from a
    base URL without `/api`: the vault serves its API under /api (`http://host:3000/api`)."""
    base = base_url.rstrip("/")
    if response.status_code != 404 or error_code(response) is not None or httpx.URL(base).path.endswith("/api"):
        return None
    return f"{base}/api"


def require_success(response: httpx.Response, what: str, base_url: str) -> httpx.Response:
    """The response if it is 2xx; else `VaultStatusError` naming the URL it came from."""
    if response.is_success:
        return response
    hint = api_base_hint(response, base_url)
    at = f"{response.request.url} (did you mean LEDGIX_VAULT_URL={hint}?)" if hint else str(response.request.url)
    raise VaultStatusError(f"{what} returned HTTP {response.status_code} at {at}: {response.text[:500]}", response)


class SyncDriver:
    def __init__(self, http: httpx.Client, base_url: str, headers: dict[str, str]) -> None:
        self.http, self.base_url, self.headers = http, base_url, headers

    def run(self, flow: Flow[T]) -> T:
        reply: httpx.Response | None = None
        error: Exception | None = None
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            reply, error = None, None
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                continue
            try:
                reply = self.http.request(
                    step.method,
                    self.base_url + step.path,
                    json=step.json,
                    params=step.params,
                    headers={**self.headers, **step.headers},
                )
            except httpx.TransportError as failure:
                error = failure


class AsyncDriver:
    def __init__(self, http: httpx.AsyncClient, base_url: str, headers: dict[str, str]) -> None:
        self.http, self.base_url, self.headers = http, base_url, headers

    async def run(self, flow: Flow[T]) -> T:
        reply: httpx.Response | None = None
        error: Exception | None = None
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            reply, error = None, None
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                continue
            try:
                reply = await self.http.request(
                    step.method,
                    self.base_url + step.path,
                    json=step.json,
                    params=step.params,
                    headers={**self.headers, **step.headers},
                )
            except httpx.TransportError as failure:
                error = failure
