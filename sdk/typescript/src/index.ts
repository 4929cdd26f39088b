export { LedgixClient, type ClearanceRequest } from "./client.js";
export { configFromEnv, resolveConfig, DEFAULTS, type LedgixConfig } from "./config.js";
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
} from "./errors.js";
export { PendingApproval } from "./pending-approval.js";
export type { ClearanceResponse, RegisterPolicyResponse } from "./schemas.js";
export { counterpartyHints, type CounterpartyHints } from "./counterparty.js";
export { canonicalJson, toolArgsHash } from "./canonical-json.js";
export { JwksCache, ReplayCache, verifyClearanceToken, type ClearanceClaims, type VerifyOptions } from "./verify-token.js";
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
} from "./instrument.js";
export { findManifest, loadManifest, matchRule, type Manifest } from "./manifest.js";
export { verifyWebhook } from "./webhook.js";
export { verifyProofBundle, verifyLedgerProof } from "./ledger/fetch.js";
export type { LedgerEntry, Checkpoint, ProofBundle } from "./ledger/types.js";
export type { Verification } from "./ledger/verify.js";
