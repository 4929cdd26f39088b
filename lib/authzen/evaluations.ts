import { ApiError } from "@/lib/api/errors";
import type { MappedEvaluation } from "./decide";
import { clearanceBodyOf } from "./map-evaluation";
import type { Decision, EvaluationRequest, EvaluationsRequest, EvaluationsSemantic } from "./schemas";

/** The evaluations of an Access Evaluations request, each completed from the top-level defaults (§7.1.1). */
export function evaluationsOf(request: EvaluationsRequest): EvaluationRequest[] {
  const batch = request.evaluations?.length ? request.evaluations : null;
  return (batch ?? [{}]).map((item, i) => {
    const evaluation = {
      subject: item.subject ?? request.subject,
      action: item.action ?? request.action,
      resource: item.resource ?? request.resource,
      context: item.context ?? request.context,
    };
    for (const key of ["subject", "action", "resource"] as const) {
      if (evaluation[key]) continue;
      const path = batch ? `evaluations.${i}.${key}` : key;
      throw new ApiError("invalid_request", `Invalid request body: ${path}: missing, and the request gives no top-level ${key}`, [{ path, message: "missing" }]);
    }
    return evaluation as EvaluationRequest;
  });
}

/** Maps every evaluation before any is decided: a batch with one it cannot decide is refused whole. */
export function mapEvaluations(evaluations: EvaluationRequest[]): MappedEvaluation[] {
  return evaluations.map((evaluation, i) => {
    try {
      return { body: clearanceBodyOf(evaluation), rawBody: JSON.stringify(evaluation) };
    } catch (error) {
      if (!(error instanceof ApiError) || !error.details) throw error;
      const details = error.details.map((d) => ({ ...d, path: `evaluations.${i}.${d.path}` }));
      throw new ApiError(error.code, `Evaluation ${i}: ${error.message}`, details);
    }
  });
}

/**
 * Decides evaluations in request order, one at a time (§7.1.2.1): `execute_all` decides every
 * one; `deny_on_first_deny` stops after the first `false` (a wait counts: it is no permit yet),
 * `permit_on_first_permit` after the first `true`. In turn, not in parallel, so a short-circuit
 * leaves the evaluations after it undecided and unrecorded, and a batch holds one of the
 * process's in-flight clearance slots, as one request does.
 */
export async function decideInTurn<E>(evaluations: E[], semantic: EvaluationsSemantic, decideOne: (evaluation: E) => Promise<Decision>): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const evaluation of evaluations) {
    const decided = await decideOne(evaluation);
    decisions.push(decided);
    if (semantic === "deny_on_first_deny" && !decided.decision) break;
    if (semantic === "permit_on_first_permit" && decided.decision) break;
  }
  return decisions;
}
