import type { LedgixClient, WaitOptions } from "./client";
import type { ClearanceResponse } from "./schemas";

/** Handle on a decision awaiting review (detached review mode). */
export class PendingApproval {
  constructor(
    private readonly client: LedgixClient,
    readonly requestId: string,
    readonly initial: ClearanceResponse,
  ) {}

  /** Polls until the review ends; a denial throws ClearanceDeniedError, a timeout ManualReviewTimeoutError. */
  wait(options: WaitOptions = {}): Promise<ClearanceResponse> {
    return this.client.waitForDecision(this.requestId, options);
  }

  /** Withdraws the request; the vault records `review_cancelled_by_agent`. */
  cancel(reason = "cancelled by agent"): Promise<void> {
    return this.client.cancelReview(this.requestId, reason);
  }
}
