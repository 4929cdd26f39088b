import { z } from "zod";

/**
 * Client settings. Durations are milliseconds, as in the public ledgix-ts client and
 * the shared environment names (decisions §10): the Python SDK reads the same names in seconds.
 */
export interface LedgixConfig {
  vaultUrl: string;
  vaultApiKey: string;
  /** Per-attempt HTTP timeout, ms. */
  vaultTimeout: number;
  agentId: string;
  sessionId: string;
  principalId: string | null;
  verifyJwt: boolean;
  jwtIssuer: string;
  jwtAudience: string;
  reviewMode: "block" | "detach";
  /** ms between two status polls. */
  reviewPollInterval: number;
  /** ms until a pending decision raises ManualReviewTimeoutError. */
  reviewTimeout: number;
  maxRetries: number;
  /** ms; the first retry waits up to this, doubling each time, capped at 30 s. */
  retryBaseDelay: number;
  decisionCacheEnabled: boolean;
  decisionCacheTtlMs: number;
  decisionCacheMaxEntries: number;
  /** How long a fetched JWKS is trusted before it is fetched again (decisions §17). */
  jwksTtlMs: number;
  replayCacheSize: number;
}

export const DEFAULTS: LedgixConfig = {
  vaultUrl: "http://localhost:8000",
  vaultApiKey: "",
  vaultTimeout: 30_000,
  agentId: "default-agent",
  sessionId: "",
  principalId: null,
  verifyJwt: true,
  jwtIssuer: "alcv-vault",
  jwtAudience: "ledgix-sdk",
  reviewMode: "block",
  reviewPollInterval: 2_000,
  reviewTimeout: 900_000,
  maxRetries: 3,
  retryBaseDelay: 500,
  decisionCacheEnabled: false,
  decisionCacheTtlMs: 60_000,
  decisionCacheMaxEntries: 1_000,
  jwksTtlMs: 300_000,
  replayCacheSize: 10_000,
};

const ENV_NAMES: Record<keyof LedgixConfig, string> = {
  vaultUrl: "LEDGIX_VAULT_URL",
  vaultApiKey: "LEDGIX_VAULT_API_KEY",
  vaultTimeout: "LEDGIX_VAULT_TIMEOUT",
  agentId: "LEDGIX_AGENT_ID",
  sessionId: "LEDGIX_SESSION_ID",
  principalId: "LEDGIX_PRINCIPAL_ID",
  verifyJwt: "LEDGIX_VERIFY_JWT",
  jwtIssuer: "LEDGIX_JWT_ISSUER",
  jwtAudience: "LEDGIX_JWT_AUDIENCE",
  reviewMode: "LEDGIX_REVIEW_MODE",
  reviewPollInterval: "LEDGIX_REVIEW_POLL_INTERVAL",
  reviewTimeout: "LEDGIX_REVIEW_TIMEOUT",
  maxRetries: "LEDGIX_MAX_RETRIES",
  retryBaseDelay: "LEDGIX_RETRY_BASE_DELAY",
  decisionCacheEnabled: "LEDGIX_DECISION_CACHE_ENABLED",
  decisionCacheTtlMs: "LEDGIX_DECISION_CACHE_TTL_MS",
  decisionCacheMaxEntries: "LEDGIX_DECISION_CACHE_MAX_ENTRIES",
  jwksTtlMs: "LEDGIX_JWKS_TTL_MS",
  replayCacheSize: "LEDGIX_REPLAY_CACHE_SIZE",
};

// A malformed value fails at once naming the variable, rather than silently falling back.
const bool = z.string().trim().toLowerCase().pipe(z.enum(["true", "1", "yes", "false", "0", "no"])).transform((v) => ["true", "1", "yes"].includes(v));
const count = z.coerce.number().int().min(0);
const ms = z.coerce.number().min(0);
const parsers: Record<keyof LedgixConfig, z.ZodType> = {
  vaultUrl: z.url(),
  vaultApiKey: z.string(),
  vaultTimeout: ms.positive(),
  agentId: z.string(),
  sessionId: z.string(),
  principalId: z.string(),
  verifyJwt: bool,
  jwtIssuer: z.string().min(1),
  jwtAudience: z.string().min(1),
  reviewMode: z.enum(["block", "detach"]),
  reviewPollInterval: ms,
  reviewTimeout: ms,
  maxRetries: count,
  retryBaseDelay: ms,
  decisionCacheEnabled: bool,
  decisionCacheTtlMs: ms,
  decisionCacheMaxEntries: count,
  jwksTtlMs: ms,
  replayCacheSize: count.positive(),
};

/** Settings from the environment: only the variables that are set. */
export function configFromEnv(environment: Record<string, string | undefined> = process.env): Partial<LedgixConfig> {
  const found: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(ENV_NAMES) as [keyof LedgixConfig, string][]) {
    const raw = environment[name];
    if (raw === undefined || raw === "") continue;
    const parsed = parsers[field].safeParse(raw);
    if (!parsed.success) throw new Error(`Invalid ${name}=${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message}`);
    found[field] = parsed.data;
  }
  return found as Partial<LedgixConfig>;
}

/** Argument, then environment, then default. */
export function resolveConfig(overrides: Partial<LedgixConfig> = {}, environment?: Record<string, string | undefined>): LedgixConfig {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS, ...configFromEnv(environment), ...defined };
}
