import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { rejectionOf, type TokenRejection } from "@/sdk/typescript/src/token-rejection";
import { toolArgsHash } from "./args-hash";

export type { TokenRejection };

export interface TokenExpectations {
  jwks: JSONWebKeySet;
  issuer: string;
  /** The verifier's own audience; the token's `aud` array must contain it. */
  audience: string;
  /** Seconds since the epoch; default now. */
  now?: number;
  clockToleranceSeconds?: number;
  /** The arguments about to run, compared with `tool_args_hash`. */
  toolArgs?: unknown;
  /** True when this jti was already consumed (single use). */
  consumed?: (jti: string) => boolean | Promise<boolean>;
}

export type TokenVerdict = { ok: true; claims: JWTPayload & Record<string, unknown> } | { ok: false; reason: TokenRejection; message: string };

const reject = (reason: TokenRejection, message: string): TokenVerdict => ({ ok: false, reason, message });

/** Verifies an A-JWT as a protected service must (README, Tokens): EdDSA only, then every claim. */
export async function verifyClearanceToken(token: string, expect: TokenExpectations): Promise<TokenVerdict> {
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  const tolerance = expect.clockToleranceSeconds ?? 0;
  try {
    // `alg: none` and HS256 are refused before any key is looked up.
    if (decodeProtectedHeader(token).alg !== "EdDSA") return reject("unsupported_algorithm", "only EdDSA tokens are accepted");
  } catch (error) {
    return reject("malformed_token", (error as Error).message);
  }
  let claims: JWTPayload & Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, createLocalJWKSet(expect.jwks), {
      algorithms: ["EdDSA"],
      issuer: expect.issuer,
      audience: expect.audience,
      currentDate: new Date(now * 1000),
      clockTolerance: tolerance,
      requiredClaims: ["exp", "iat", "jti", "request_id", "tool_args_hash"],
    }));
  } catch (error) {
    return reject(rejectionOf(error), (error as Error).message);
  }
  if ((claims.iat ?? 0) > now + tolerance) return reject("token_not_yet_valid", "iat is in the future");
  if (expect.toolArgs !== undefined && claims.tool_args_hash !== toolArgsHash(expect.toolArgs)) {
    return reject("tool_args_mismatch", "the arguments differ from the approved ones");
  }
  if (expect.consumed && (await expect.consumed(claims.jti!))) return reject("token_replayed", `jti ${claims.jti} was already used`);
  return { ok: true, claims };
}
