export { LedgixClient, type ClearanceRequest, type WaitOptions } from "./client";
export { configFromEnv, resolveConfig, DEFAULTS, type LedgixConfig } from "./config";
export {
  LedgixError,
  ClearanceDeniedError,
  ManualReviewTimeoutError,
  VaultConnectionError,
  QueueSaturatedError,
  TokenVerificationError,
  ReplayDetectedError,
  PolicyRegistrationError,
  ReviewPendingError,
  EditedArgsError,
  WebhookVerificationError,
  type WebhookRejection,
} from "./errors";
export { PendingApproval } from "./pending-approval";
export type { ClearanceResponse, RegisterPolicyResponse } from "./schemas";
export { counterpartyHints, type CounterpartyHints } from "./counterparty";
export { traceContextOf, type TraceContext } from "./trace-context";
export { canonicalJson, toolArgsHash } from "./canonical-json";
export { JwksCache, ReplayCache, verifyClearanceToken, type ClearanceClaims, type VerifyOptions } from "./verify-token";
export { TOKEN_REJECTIONS, type TokenRejection } from "./token-rejection";
export {
  configure,
  tool,
  enforce,
  vaultEnforce,
  autoInstrument,
  currentToken,
  currentClearance,
  withLedgixContext,
  toolArgsOf,
  clearThenRun,
  type ToolOptions,
  type AutoInstrumentOptions,
} from "./instrument";
export { findManifest, globMatches, loadManifest, matchRule, parseManifest, parseManifestText, type Manifest, type ManifestRule } from "./manifest";
export { verifyWebhook } from "./webhook";
export { WebhookVerifier, type WebhookEvent, type WebhookReplayStore, type WebhookVerifierOptions } from "./standard-webhook";
export { verifyProofBundle, verifyLedgerProof } from "./ledger/fetch";
export type { LedgerEntry, Checkpoint, ProofBundle } from "./ledger/types";
export type { Verification, WitnessPolicy } from "./ledger/verify";
export { verifyBundleWebCrypto, noteCosigners, type WebCryptoVerifyOptions } from "./ledger/webcrypto";
