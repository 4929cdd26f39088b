import { canonicalJson } from "./canonical-json";
import { resolveConfig, type LedgixConfig } from "./config";
import { counterpartyHints, type CounterpartyHints } from "./counterparty";
import { approvedArgsOf, editWarning } from "./edited-call";
import { ClearanceDeniedError, ManualReviewTimeoutError, PolicyRegistrationError, ReviewPendingError } from "./errors";
import { PendingApproval } from "./pending-approval";
import {
  clearanceResponseSchema,
  mintTokenResponseSchema,
  registerPolicyResponseSchema,
  type ClearanceResponse,
  type RegisterPolicyResponse,
} from "./schemas";
import type { TraceContext } from "./trace-context";
import { callVault, expectOk, sleep } from "./transport";
import { JwksCache, ReplayCache, verifyClearanceToken, type ClearanceClaims, type VerifyOptions } from "./verify-token";
import * as ledger from "./ledger/fetch";

export interface ClearanceRequest extends CounterpartyHints {
  toolName: string;
  toolArgs?: Record<string, unknown>;
  agentId?: string;
  sessionId?: string;
  context?: Record<string, unknown>;
  humanPrincipal?: string;
  parentJti?: string;
  dataCategories?: string[];
  purpose?: string;
  processingRegisterRef?: string;
  datasetRef?: string;
  /** The W3C trace context to continue, when it is not the active OpenTelemetry span's (a gateway passing on its caller's). */
  traceContext?: TraceContext;
}

interface CachedApproval {
  response: ClearanceResponse;
  until: number;
}

/** The Ledgix vault's HTTP API: clearance, tokens, policies and the ledger. */
export interface WaitOptions {
  timeoutMs?: number;
  pollIntervalMs?: number;
  /** Stops waiting: the caller no longer wants the decision (the request stays pending unless cancelled). */
  signal?: AbortSignal;
}

export class LedgixClient {
  readonly config: LedgixConfig;
  readonly jwks: JwksCache;
  private readonly replay: ReplayCache;
  private readonly approvals = new Map<string, CachedApproval>();

  constructor(config: Partial<LedgixConfig> = {}) {
    this.config = resolveConfig(config);
    this.jwks = new JwksCache(this.config);
    this.replay = new ReplayCache(this.config.replayCacheSize);
  }

  /**
   * Asks for a decision and, in block mode, polls `processing` and `pending_review`
   * until it ends. Returns an approval; throws ClearanceDeniedError on a denial. When a
   * reviewer edited the arguments, the approval says so (`argsEdited`, `toolArgs`), its token
   * is checked to bind the approved arguments, and a warning names the changed fields.
   */
  async requestClearance(request: ClearanceRequest): Promise<ClearanceResponse> {
    const cacheKey = this.cacheKeyOf(request);
    const cached = cacheKey ? this.cachedApproval(cacheKey) : null;
    if (cached) return this.mintFromCache(request, cached);

    const res = await callVault(this.config, { method: "POST", path: "/request-clearance", body: this.bodyOf(request), idempotent: true, traceContext: request.traceContext });
    let response = clearanceResponseSchema.parse(expectOk(res, "Clearance request"));
    if (response.status === "processing" || response.status === "pending_review") {
      if (this.config.reviewMode === "detach") throw new ReviewPendingError(new PendingApproval(this, response.requestId, response));
      response = await this.waitForDecision(response.requestId);
    }
    return this.settle(response, cacheKey, request);
  }

  /** Polls `GET /clearance-status/{id}` until the decision is final; `signal` stops polling (it rejects with the signal's reason). */
  async waitForDecision(requestId: string, options: WaitOptions = {}): Promise<ClearanceResponse> {
    const deadline = Date.now() + (options.timeoutMs ?? this.config.reviewTimeout);
    const interval = options.pollIntervalMs ?? this.config.reviewPollInterval;
    let current = requestId;
    while (Date.now() < deadline) {
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), options.signal);
      const response = await this.getClearanceStatus(current);
      options.signal?.throwIfAborted();
      if (response.status !== "processing" && response.status !== "pending_review") {
        if (response.decisionStatus === "denied") throw this.denial(response);
        return response;
      }
      current = response.requestId || current;
    }
    throw new ManualReviewTimeoutError(`Clearance ${requestId} was not decided within the review timeout`, { requestId, reason: "review_timeout" });
  }

  async getClearanceStatus(requestId: string): Promise<ClearanceResponse> {
    const res = await callVault(this.config, { method: "GET", path: `/clearance-status/${encodeURIComponent(requestId)}` });
    return clearanceResponseSchema.parse(expectOk(res, "Clearance status", requestId));
  }

  /** The agent withdraws its pending request. */
  async cancelReview(requestId: string, reason = "cancelled by agent"): Promise<void> {
    await callVault(this.config, {
      method: "POST",
      path: `/reviews/${encodeURIComponent(requestId)}/decision`,
      body: { approved: false, review_reason: reason },
    });
  }

  /**
   * Verifies a decision's token (as `verifyToken`) and, when a reviewer edited the call, that
   * the token binds the approved `toolArgs`: the arguments the caller must run with.
   */
  async verifyClearance(response: ClearanceResponse): Promise<ClearanceClaims | null> {
    if (!response.token) return null;
    return this.verifyToken(response.token, response.argsEdited ? { toolArgs: approvedArgsOf(response, {}) } : {});
  }

  async fetchJwks() {
    return this.jwks.fetch();
  }

  /**
   * Verifies an A-JWT against the vault's JWKS (EdDSA only; iss, aud, sub, exp) and
   * remembers its jti: presenting it to this client again throws ReplayDetectedError.
   */
  async verifyToken(token: string, options: Partial<VerifyOptions> = {}): Promise<ClearanceClaims> {
    const claims = await verifyClearanceToken(token, this.jwks, {
      issuer: this.config.jwtIssuer,
      audience: this.config.jwtAudience,
      ...options,
    });
    this.replay.remember(claims.jti, claims.exp, claims.request_id ?? null);
    return claims;
  }

  async registerPolicy(policy: { policyId: string; description?: string; rules?: string[]; tools?: string[] }): Promise<RegisterPolicyResponse> {
    const res = await callVault(this.config, {
      method: "POST",
      path: "/register-policy",
      idempotent: true,
      body: { policy_id: policy.policyId, description: policy.description ?? "", rules: policy.rules ?? [], tools: policy.tools ?? [] },
    });
    if (res.status < 200 || res.status >= 300) {
      throw new PolicyRegistrationError(`Policy registration failed: HTTP ${res.status}: ${res.text.slice(0, 500)}`, { reason: res.text });
    }
    return registerPolicyResponseSchema.parse(res.body);
  }

  getLedger(options: { limit?: number; before?: number } = {}) {
    return ledger.getLedger(this.config, options);
  }

  getCheckpoints(options: { limit?: number; before?: number } = {}) {
    return ledger.getCheckpoints(this.config, options);
  }

  getProofBundle(requestId: string) {
    return ledger.getProofBundle(this.config, requestId);
  }

  /** Fetches a decision's proof bundle and verifies it offline; throws TokenVerificationError naming the failed check. */
  async verifyDecision(requestId: string) {
    return ledger.verifyProofBundle(await this.getProofBundle(requestId), await this.jwks.fetch());
  }

  private bodyOf(request: ClearanceRequest): Record<string, unknown> {
    const toolArgs = request.toolArgs ?? {};
    const hints = counterpartyHints(request.toolName, toolArgs, request);
    const optional = {
      human_principal: request.humanPrincipal ?? this.config.principalId ?? undefined,
      parent_jti: request.parentJti,
      destination_uri: hints.destinationUri,
      destination_provider: hints.destinationProvider,
      destination_account_ref: hints.destinationAccountRef,
      data_categories: request.dataCategories,
      purpose: request.purpose,
      processing_register_ref: request.processingRegisterRef,
      dataset_ref: request.datasetRef,
    };
    return {
      tool_name: request.toolName,
      tool_args: toolArgs,
      agent_id: request.agentId ?? this.config.agentId,
      session_id: request.sessionId ?? this.config.sessionId,
      context: request.context ?? {},
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
  }

  private denial(response: ClearanceResponse) {
    return new ClearanceDeniedError(response.reason || "denied", { requestId: response.requestId, reasonCode: response.reasonCode });
  }

  private async settle(response: ClearanceResponse, cacheKey: string | null, request: ClearanceRequest): Promise<ClearanceResponse> {
    if (response.decisionStatus === "denied") throw this.denial(response);
    // An edit that does not say what was approved is refused, whether tokens are verified or not.
    if (response.argsEdited) approvedArgsOf(response, {});
    if (this.config.verifyJwt) await this.verifyClearance(response);
    if (response.argsEdited) console.warn(editWarning(request.toolName, response, request.toolArgs ?? {}));
    // A reviewer's edit approves one call; a repeat of the call as first asked goes to the vault again.
    if (cacheKey && !response.argsEdited && response.status === "approved" && response.decisionStatus === "approved" && response.policyVersionId && response.token) {
      if (this.approvals.size >= this.config.decisionCacheMaxEntries) this.approvals.delete(this.approvals.keys().next().value!);
      this.approvals.set(cacheKey, { response, until: Date.now() + this.config.decisionCacheTtlMs });
    }
    return response;
  }

  // The approval cache (off by default): the same agent, tool, arguments and policy within the TTL.
  private cacheKeyOf(request: ClearanceRequest): string | null {
    if (!this.config.decisionCacheEnabled) return null;
    return canonicalJson([request.agentId ?? this.config.agentId, request.toolName, request.toolArgs ?? {}, request.context?.policy_id ?? ""]);
  }

  private cachedApproval(key: string): ClearanceResponse | null {
    const hit = this.approvals.get(key);
    if (!hit) return null;
    if (hit.until > Date.now()) return hit.response;
    this.approvals.delete(key);
    return null;
  }

  /** A fresh token for a cached approval through `POST /mint-token`; the vault re-checks the policy version. */
  private async mintFromCache(request: ClearanceRequest, cached: ClearanceResponse): Promise<ClearanceResponse> {
    const res = await callVault(this.config, {
      method: "POST",
      path: "/mint-token",
      idempotent: true,
      body: {
        tool_name: request.toolName,
        tool_args: request.toolArgs ?? {},
        agent_id: request.agentId ?? this.config.agentId,
        session_id: request.sessionId ?? this.config.sessionId,
        policy_id: String(request.context?.policy_id ?? ""),
        policy_version_id: cached.policyVersionId ?? "",
        policy_content_hash: cached.policyContentHash ?? "",
        original_request_id: cached.requestId,
      },
    });
    const minted = mintTokenResponseSchema.parse(expectOk(res, "Token mint", cached.requestId));
    if (this.config.verifyJwt) await this.verifyToken(minted.token);
    return { ...cached, token: minted.token, requestId: minted.request_id, reason: minted.reason ?? cached.reason };
  }
}
