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

from .exceptions import QueueSaturatedError, VaultConnectionError, VaultStatusError

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
                raise VaultConnectionError(f"{send.method} {send.path} failed: {error!r}") from error
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


def require_success(response: httpx.Response, what: str) -> httpx.Response:
    if response.is_success:
        return response
    raise VaultStatusError(f"{what} returned HTTP {response.status_code}: {response.text[:500]}", response)


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
