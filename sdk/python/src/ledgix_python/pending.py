"""`PendingApproval`: the handle of a decision waiting for a person (detached review mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from ._flow import Flow, Send, send_with_retries
from .exceptions import ClearanceDeniedError
from .models import ClearanceResponse

if TYPE_CHECKING:
    from .client import LedgixClient

CANCEL_BODY = {"approved": False, "review_reason": "cancelled by agent"}


def raise_if_denied(clearance: ClearanceResponse) -> None:
    if clearance.decision_status == "denied":
        raise ClearanceDeniedError(clearance.reason, clearance.request_id, clearance.reason_code)


class PendingApproval:
    """Resume (`wait`) or withdraw (`cancel`) a request that waits for review.

    As in ledgix-python 0.4, the token returned by `wait` is not verified by the SDK:
    call `client.verify_token(response.token)` before relying on it.
    """

    def __init__(self, client: LedgixClient, initial_response: ClearanceResponse) -> None:
        self._client = client
        self.initial_response = initial_response

    @property
    def request_id(self) -> str:
        return self.initial_response.request_id

    def wait(self, timeout: float | None = None) -> ClearanceResponse:
        """Polls until a person decides (default limit: the client's `review_timeout`).
        Raises `ClearanceDeniedError` on a denial, `ManualReviewTimeoutError` on timeout."""
        return self._client._run(self._wait(timeout))

    async def wait_async(self, timeout: float | None = None) -> ClearanceResponse:
        return await self._client._arun(self._wait(timeout))

    def _wait(self, timeout: float | None) -> Flow[ClearanceResponse]:
        limit = self._client.config.review_timeout if timeout is None else timeout
        clearance = yield from self._client._poll(self.request_id, limit)
        raise_if_denied(clearance)
        return clearance

    def cancel(self) -> bool:
        """Withdraws the request (the vault records `review_cancelled_by_agent`). Returns
        False when the vault refused, e.g. because a person already decided."""
        return self._client._run(self._cancel())

    async def acancel(self) -> bool:
        return await self._client._arun(self._cancel())

    def _cancel(self) -> Flow[bool]:
        path = f"/reviews/{quote(self.request_id, safe='')}/decision"
        response = yield from send_with_retries(Send("POST", path, json=CANCEL_BODY), self._client._retry)
        return response.is_success
