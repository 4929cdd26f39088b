/** Details every Ledgix error carries: the clearance request it concerns and why it failed. */
export interface LedgixErrorDetails {
  requestId?: string | null;
  reason?: string | null;
  cause?: unknown;
}

/** Base class of every error the SDK throws. */
export class LedgixError extends Error {
  readonly requestId: string | null;
  readonly reason: string | null;
  constructor(message: string, details: LedgixErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.requestId = details.requestId ?? null;
    this.reason = details.reason ?? message;
  }
}

/** The vault denied the call (a 2xx answer with `decision_status: "denied"`). */
export class ClearanceDeniedError extends LedgixError {
  readonly reasonCode: string | null;
  constructor(reason: string, details: LedgixErrorDetails & { reasonCode?: string | null } = {}) {
    super(`Clearance denied: ${reason}`, { ...details, reason });
    this.reasonCode = details.reasonCode ?? null;
  }
}

/** Still `processing` or `pending_review` when the review timeout passed. */
export class ManualReviewTimeoutError extends LedgixError {}

/** Transport failure after every retry, or a non-2xx answer. */
export class VaultConnectionError extends LedgixError {
  readonly status: number | null;
  readonly code: string | null;
  constructor(message: string, details: LedgixErrorDetails & { status?: number | null; code?: string | null } = {}) {
    super(message, details);
    this.status = details.status ?? null;
    this.code = details.code ?? null;
  }
}

/** The vault answered 429 eleven times in a row. */
export class QueueSaturatedError extends VaultConnectionError {
  constructor(
    readonly attempts: number,
    readonly lastRetryAfter: number | null,
  ) {
    super(`The vault stayed saturated (429) for ${attempts} retries`, { status: 429 });
  }
}

/** A token (or ledger data) failed verification. */
export class TokenVerificationError extends LedgixError {}

/** The same token was presented to this client a second time. */
export class ReplayDetectedError extends TokenVerificationError {}

/** Why `WebhookVerifier` refused a delivery. */
export type WebhookRejection = "missing_header" | "invalid_timestamp" | "signature_mismatch" | "timestamp_too_old" | "timestamp_too_new" | "replayed";

/** A webhook delivery failed verification; `reason` names the check. */
export class WebhookVerificationError extends LedgixError {
  declare readonly reason: WebhookRejection;
  constructor(reason: WebhookRejection, message: string) {
    super(message, { reason });
  }
}

/**
 * A reviewer edited the call, and the approved arguments cannot be passed to the wrapped
 * function exactly as approved (a key that is not one of its parameters, say): the function
 * does not run, neither with the approved arguments nor with the ones it was called with.
 */
export class EditedArgsError extends LedgixError {}

/** `registerPolicy` got a non-2xx answer. */
export class PolicyRegistrationError extends LedgixError {}

/** Detached review mode: the decision is pending; `pending` waits for it or cancels it. */
export class ReviewPendingError extends LedgixError {
  constructor(readonly pending: import("./pending-approval.js").PendingApproval) {
    super(`Clearance ${pending.requestId} awaits review`, { requestId: pending.requestId, reason: "pending_review" });
  }
}
