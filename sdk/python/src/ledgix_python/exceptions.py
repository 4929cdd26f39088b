"""The SDK's exception tree. Every error it raises is a `LedgixError`; none is returned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import httpx

if TYPE_CHECKING:
    from .pending import PendingApproval


class LedgixError(Exception):
    """Base class of every exception the SDK raises."""


class ClearanceDeniedError(LedgixError):
    """The vault denied the tool call (a denial is an answer, not an HTTP error)."""

    def __init__(self, reason: str, request_id: str | None = None, reason_code: str | None = None) -> None:
        self.reason = reason
        self.request_id = request_id
        self.reason_code = reason_code
        super().__init__(f"Clearance denied: {reason}")


class ManualReviewTimeoutError(LedgixError):
    """No reviewer decided before `review_timeout` elapsed."""

    def __init__(self, request_id: str | None = None) -> None:
        self.request_id = request_id
        super().__init__(f"Manual review timed out ({request_id})" if request_id else "Manual review timed out")


class VaultConnectionError(LedgixError):
    """The vault could not be reached, or answered with an error status."""

    def __init__(self, message: str = "Unable to connect to the vault") -> None:
        super().__init__(message)


class VaultStatusError(VaultConnectionError, httpx.HTTPStatusError):
    """The vault answered with an error status after retries.

    It is also an `httpx.HTTPStatusError`, which ledgix-python 0.4 raised on its polling and
    proof paths, so code catching that keeps working. `code` is the API's machine-readable
    error code (`error.code` of the body), when the body had one.
    """

    def __init__(self, message: str, response: httpx.Response) -> None:
        httpx.HTTPStatusError.__init__(self, message, request=response.request, response=response)
        self.status_code = response.status_code
        self.code = error_code(response)


def error_code(response: httpx.Response) -> str | None:
    """`error.code` of a Ledgix error body, or None."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


class TokenVerificationError(LedgixError):
    """An A-JWT or ledger data failed verification."""

    def __init__(self, message: str = "Token verification failed") -> None:
        super().__init__(message)


class ReplayDetectedError(TokenVerificationError):
    """This client has already verified a token with the same `jti`: tokens are single-use."""

    def __init__(self, jti: str | None = None) -> None:
        self.jti = jti
        super().__init__(f"A-JWT replay detected (jti={jti})" if jti else "A-JWT replay detected")


WebhookRejection = Literal[
    "missing_header", "invalid_timestamp", "signature_mismatch", "timestamp_too_old", "timestamp_too_new", "replayed"
]


class WebhookVerificationError(LedgixError):
    """`WebhookVerifier` refused a delivery; `reason` names the failed check."""

    def __init__(self, reason: WebhookRejection, message: str) -> None:
        self.reason: WebhookRejection = reason
        super().__init__(message)


class EditedArgsError(LedgixError):
    """A reviewer edited the call, and the approved arguments cannot be passed to the wrapped
    function exactly as approved (a key that is not one of its parameters, say): the function
    does not run, neither with the approved arguments nor with the ones it was called with."""

    def __init__(self, request_id: str | None, reason: str) -> None:
        self.request_id = request_id
        self.reason = reason
        super().__init__(f"A reviewer edited the call (request {request_id}), and {reason}; it does not run")


class PolicyRegistrationError(LedgixError):
    """`POST /register-policy` failed."""

    def __init__(self, message: str = "Policy registration failed") -> None:
        super().__init__(message)


class QueueSaturatedError(LedgixError):
    """The vault kept answering 429: the call gave up after `attempts` consecutive 429s."""

    def __init__(self, attempts: int, last_retry_after: float | None = None) -> None:
        self.attempts = attempts
        self.last_retry_after = last_retry_after
        suffix = f" (last Retry-After={last_retry_after}s)" if last_retry_after is not None else ""
        super().__init__(f"Vault queue saturated after {attempts} consecutive 429 responses{suffix}")


class ReviewPendingError(LedgixError):
    """In detached review mode: the decision waits for a person; `pending_approval` resumes it."""

    def __init__(self, pending_approval: PendingApproval) -> None:
        self.pending_approval = pending_approval
        self.request_id = pending_approval.request_id
        super().__init__(f"Clearance pending review (request_id={pending_approval.request_id})")
