import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { canonicalJson, toolArgsHash } from "./canonical-json";
import type { LedgixConfig } from "./config";
import { ReplayDetectedError, TokenVerificationError } from "./errors";
import { rejectionOf } from "./token-rejection";
import { callVault, expectOk } from "./transport";

/** Claims of a verified A-JWT (decisions §18 lists the extra ones). */
export interface ClearanceClaims extends JWTPayload {
  jti: string;
  exp: number;
  tenant_id?: string;
  request_id?: string;
  tool?: string;
  tool_args_hash?: string;
  agent_id?: string;
  session_id?: string;
  policy_id?: string;
  policy_version_id?: string;
  policy_content_hash?: string;
  decision?: string;
  parent_jti?: string;
}

/**
 * The vault's JWKS, fetched on first use, again on an unknown `kid`, and again once
 * older than `jwksTtlMs` (decisions §17: revoked keys disappear within that time).
 */
export class JwksCache {
  private keys: JSONWebKeySet | null = null;
  private verifier: ReturnType<typeof createLocalJWKSet> | null = null;
  private fetchedAt = 0;
  private inflight: Promise<void> | null = null;

  constructor(private readonly config: LedgixConfig) {}

  async fetch(): Promise<JSONWebKeySet> {
    const body = expectOk(await callVault(this.config, { method: "GET", path: "/.well-known/jwks.json" }), "JWKS fetch") as JSONWebKeySet;
    if (!body || !Array.isArray(body.keys)) throw new TokenVerificationError("The vault's JWKS has no keys array");
    this.keys = body;
    this.verifier = createLocalJWKSet(body);
    this.fetchedAt = Date.now();
    return body;
  }

  private refresh(): Promise<void> {
    // Concurrent verifications share one fetch.
    this.inflight ??= this.fetch().then(
      () => void (this.inflight = null),
      (error: unknown) => {
        this.inflight = null;
        throw error;
      },
    );
    return this.inflight;
  }

  /** The key set to verify a token with `kid`, refreshed when stale or when it lacks that kid. */
  async keySetFor(kid: string | undefined): Promise<ReturnType<typeof createLocalJWKSet>> {
    const stale = Date.now() - this.fetchedAt > this.config.jwksTtlMs;
    const known = this.keys?.keys.some((key) => key.kid === kid) ?? false;
    if (!this.verifier || stale || !known) await this.refresh();
    if (!this.keys!.keys.length) throw new TokenVerificationError("The vault's JWKS is empty");
    return this.verifier!;
  }
}

/** Remembers verified jtis until their token expires (+30 s), at most `size` of them. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly size: number) {}

  /** Records `jti`; throws ReplayDetectedError when it is still remembered. */
  remember(jti: string, expSeconds: number, requestId: string | null): void {
    const now = Date.now();
    const until = this.seen.get(jti);
    if (until !== undefined && until > now) throw new ReplayDetectedError(`Token ${jti} was already presented`, { requestId });
    if (this.seen.size >= this.size) this.evict(now);
    this.seen.set(jti, expSeconds * 1000 + 30_000);
  }

  private evict(now: number) {
    for (const [jti, until] of this.seen) if (until <= now) this.seen.delete(jti);
    // Still full: drop the oldest tenth (Map iterates in insertion order).
    const excess = this.seen.size - Math.floor(this.size * 0.9);
    if (excess > 0) [...this.seen.keys()].slice(0, excess).forEach((jti) => this.seen.delete(jti));
  }
}

export interface VerifyOptions {
  issuer: string;
  audience: string | string[];
  /** Expected `tool` claim. */
  tool?: string;
  /** The call's arguments; their JCS hash must equal `tool_args_hash`. */
  toolArgs?: unknown;
  /** Expected `tenant_id`. */
  tenantId?: string;
}

/** Signature (EdDSA only), iss, aud, sub, exp, nbf, and optionally the tool, arguments and tenant. */
export async function verifyClearanceToken(token: string, jwks: JwksCache, options: VerifyOptions): Promise<ClearanceClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (error) {
    throw new TokenVerificationError("Malformed token", { cause: error, reason: "malformed_token" });
  }
  const keySet = await jwks.keySetFor(kid);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet, {
      algorithms: ["EdDSA"],
      issuer: options.issuer,
      audience: options.audience,
      subject: "clearance",
      requiredClaims: ["exp", "jti"],
      clockTolerance: 0,
    }));
  } catch (error) {
    const reason = rejectionOf(error);
    throw new TokenVerificationError(`Token verification failed (${reason}): ${(error as Error).message}`, { cause: error, reason });
  }
  const claims = payload as ClearanceClaims;
  const requestId = claims.request_id ?? null;
  if (typeof claims.jti !== "string" || !claims.jti) throw new TokenVerificationError("Token has no jti", { requestId, reason: "missing_claim" });
  if (options.tool !== undefined && claims.tool !== options.tool) {
    throw new TokenVerificationError(`Token is for tool ${claims.tool}, not ${options.tool}`, { requestId, reason: "tool_mismatch" });
  }
  if (options.toolArgs !== undefined) checkToolArgs(claims, options.toolArgs);
  if (options.tenantId !== undefined && claims.tenant_id !== options.tenantId) {
    throw new TokenVerificationError("Token was issued to another tenant", { requestId, reason: "tenant_mismatch" });
  }
  return claims;
}

/** Throws unless the verified token's `tool_args_hash` is the JCS hash of `toolArgs`. */
export function checkToolArgs(claims: ClearanceClaims, toolArgs: unknown): void {
  if (claims.tool_args_hash !== toolArgsHash(toolArgs)) {
    throw new TokenVerificationError(`Token is for other arguments than ${canonicalJson(toolArgs).slice(0, 200)}`, {
      requestId: claims.request_id ?? null,
      reason: "tool_args_mismatch",
    });
  }
}
