import { meetsMinimum, type ConfidenceBucket } from "./confidence";
import type { Verdict } from "./evaluate";

export type ClearanceOutcome = "approved" | "denied" | "pending_review";

/**
 * The status a verdict gives a request under the tenant's confidence floor: an approval
 * below it goes to a human. Stored decisions get the same from lib/clearance/decision-fields.ts.
 */
export function outcomeOf(verdict: Verdict, minimum: ConfidenceBucket): { status: ClearanceOutcome; reason: string; reasonCode: string | null } {
  if (verdict.effect === "allow" && !meetsMinimum(verdict.confidence, minimum)) {
    return {
      status: "pending_review",
      reason: `${verdict.reason} Confidence ${verdict.confidence} is below the tenant minimum ${minimum}; a human decides.`,
      reasonCode: "below_minimum_confidence",
    };
  }
  const status = verdict.effect === "allow" ? "approved" : verdict.effect === "deny" ? "denied" : "pending_review";
  return { status, reason: verdict.reason, reasonCode: verdict.reasonCode };
}
