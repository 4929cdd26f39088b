/**
 * Why a presented A-JWT is refused. The same codes from every verifier (the gateway, the
 * client's `verifyToken`, the vault's `ledgix verify-token`), so a misuse reads the same everywhere.
 */
export const TOKEN_REJECTIONS = [
  "malformed_token",
  "unsupported_algorithm",
  "unknown_key",
  "bad_signature",
  "token_expired",
  "token_not_yet_valid",
  "wrong_audience",
  "wrong_issuer",
  "missing_claim",
  "tool_args_mismatch",
  "token_replayed",
] as const;

export type TokenRejection = (typeof TOKEN_REJECTIONS)[number];

export const isTokenRejection = (value: unknown): value is TokenRejection => TOKEN_REJECTIONS.includes(value as TokenRejection);

// By jose's error codes, not instanceof: the vault imports this file beside its own copy of jose.
const byJoseCode: Record<string, TokenRejection> = {
  ERR_JWT_EXPIRED: "token_expired",
  ERR_JOSE_ALG_NOT_ALLOWED: "unsupported_algorithm",
  ERR_JOSE_NOT_SUPPORTED: "unsupported_algorithm",
  ERR_JWKS_NO_MATCHING_KEY: "unknown_key",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: "unknown_key",
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "bad_signature",
};
const byClaim: Record<string, TokenRejection> = { aud: "wrong_audience", iss: "wrong_issuer", nbf: "token_not_yet_valid", iat: "token_not_yet_valid" };

/** The reason code of an error thrown by jose's `jwtVerify`. */
export function rejectionOf(error: unknown): TokenRejection {
  const { code, claim } = (error ?? {}) as { code?: string; claim?: string };
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return byClaim[claim ?? ""] ?? "missing_claim";
  return byJoseCode[code ?? ""] ?? "malformed_token";
}
