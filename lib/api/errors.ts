import { z } from "zod";

/** Every error code the API answers with, and its HTTP status. Closed: add codes here. */
export const ERROR_CODES = {
  malformed_json: 400,
  invalid_request: 400,
  invalid_idempotency_key: 400,
  duplicate_json_key: 400,
  unmappable_evaluation: 400,
  missing_api_key: 401,
  invalid_api_key: 401,
  api_key_revoked: 401,
  unauthenticated: 401,
  slack_signature_invalid: 401,
  invalid_credentials: 401,
  forbidden: 403,
  token_tenant_mismatch: 403,
  insufficient_scope: 403,
  four_eyes_violation: 403,
  not_a_reviewer: 403,
  args_not_editable: 403,
  edit_denied: 403,
  edit_needs_other_review: 403,
  not_found: 404,
  review_link_invalid: 404,
  request_not_found: 404,
  policy_not_found: 404,
  policy_version_not_found: 404,
  grant_not_found: 404,
  ledger_entry_not_found: 404,
  checkpoint_not_found: 404,
  tile_not_found: 404,
  witness_not_found: 404,
  method_not_allowed: 405,
  review_not_pending: 409,
  already_voted: 409,
  review_args_changed: 409,
  original_not_approved: 409,
  policy_version_changed: 409,
  tool_mismatch: 409,
  agent_mismatch: 409,
  tool_args_mismatch: 409,
  limit_exceeded: 409,
  conflict: 409,
  review_link_used: 409,
  review_link_expired: 410,
  not_yet_integrated: 409,
  token_already_consumed: 409,
  token_not_consumed: 409,
  execution_already_reported: 409,
  policy_uploaded_by_person: 409,
  token_limit_reached: 409,
  token_window_closed: 409,
  grant_already_revoked: 409,
  grant_source_not_approved: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  invalid_policy: 422,
  import_refused: 422,
  url_refused: 422,
  judge_api_key_required: 422,
  import_failed: 502,
  idempotency_key_reused: 422,
  token_invalid: 422,
  token_expired: 422,
  unknown_parent_jti: 422,
  invalid_grant: 422,
  idempotency_in_flight: 429,
  rate_limited: 429,
  too_many_failed_attempts: 429,
  quota_exceeded: 429,
  overloaded: 429,
  internal_error: 500,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/** zod issues → 422 naming each field path, e.g. `tool_args.amount`. */
export function validationError(error: z.ZodError, what = "request body"): ApiError {
  const details = error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const first = details[0]!;
  return new ApiError("validation_failed", `Invalid ${what}: ${first.path}: ${first.message}`, details);
}
