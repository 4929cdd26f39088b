import path from "node:path";
import { z } from "zod";

/** From most to least verbose; each level writes its own lines and those of the levels after it. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** The OTLP encodings the trace exporter speaks (over HTTP). */
export const OTLP_PROTOCOLS = ["http/protobuf", "http/json"] as const;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional()
    .describe("Run on this PostgreSQL instead of the embedded database"),
  LEDGIX_DATA_DIR: z.string().min(1).default(".ledgix").describe("Embedded database and development keys"),
  LEDGIX_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional()
    .describe("Encrypts private signing keys and stored responses at rest"),
  LEDGIX_JWT_ISSUER: z.string().min(1).default("alcv-vault"),
  LEDGIX_JWT_AUDIENCE: z
    .string()
    .default("ledgix-sdk")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, "needs at least one audience")),
  LEDGIX_LOG_LEVEL: z.enum(LOG_LEVELS).default("info").describe("Least severe log line written: debug, info (one line per request), warn, error or silent"),
  LEDGIX_MAX_BODY_BYTES: positiveInt(256 * 1024),
  LEDGIX_MAX_INFLIGHT_CLEARANCES: positiveInt(64)
    .describe("Clearance requests evaluated at once per process; more are refused with 429 overloaded and Retry-After"),
  LEDGIX_IDEMPOTENCY_ABANDONED_SECONDS: positiveInt(60)
    .describe("How long a request's Idempotency-Key claim may stay unanswered before a retry takes it over (its process died)"),
  LEDGIX_DECISION_WAIT_MS: z.coerce.number().int().min(0).default(2000)
    .describe("How long a clearance request waits for its evaluation before answering `processing`"),
  LEDGIX_SEQUENCER_INTERVAL_MS: positiveInt(10_000)
    .describe("Safety sweep of the ledger sequencer, which appended events otherwise wake at once (LISTEN/NOTIFY)"),
  LEDGIX_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).default(5000).describe("Least time between two checkpoints of a tenant"),
  LEDGIX_LEDGER_MMD_SECONDS: positiveInt(30).describe("Maximum merge delay promised in checkpoints"),
  LEDGIX_SEQUENCER_BATCH: positiveInt(10_000).describe("Most events integrated per transaction"),
  LEDGIX_AUTH_FAILURES_PER_ADDRESS: positiveInt(30).describe("Failed authentications one client address may make per window"),
  LEDGIX_AUTH_FAILURES_PER_KEY: positiveInt(10).describe("Failed authentications naming one key id per window"),
  LEDGIX_AUTH_FAILURE_WINDOW_SECONDS: positiveInt(300),
  LEDGIX_CLIENT_ADDRESS_HEADER: z.string().regex(/^[a-z0-9-]+$/, "a lowercase header name").optional()
    .describe("Behind a reverse proxy: the header carrying the client address (the last X-Forwarded-For entry is used)"),
  LEDGIX_PUBLIC_URL: z.url().optional().describe("The vault's public URL; https turns on HSTS"),
  LEDGIX_LOG_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/u, "must be non-empty, without spaces or '+' (it is a C2SP key name)")
    .default("ledgix.local")
    .describe("Origin of the C2SP checkpoint notes; each tenant's log is <origin>/<tenant id>"),
  // The judge of plain-English policy rules (lib/policy/judge.ts); a tenant may override each in its settings.
  LEDGIX_JUDGE_BASE_URL: z.url().optional().describe("OpenAI-compatible API base URL, e.g. https://api.openai.com/v1"),
  LEDGIX_JUDGE_MODEL: z.string().min(1).optional().describe("Model name; without one, plain-English rules go to review"),
  LEDGIX_JUDGE_API_KEY: z.string().min(1).optional(),
  LEDGIX_JUDGE_TIMEOUT: positiveInt(15_000).describe("Milliseconds a judge call may take before it counts as unavailable"),
  LEDGIX_JUDGE_CONCURRENCY: positiveInt(4).describe("Judge calls in flight at once, per process"),
  LEDGIX_JUDGE_CACHE_SECONDS: z.coerce.number().int().min(0).default(60)
    .describe("How long an identical request under the same policy reuses a verdict; 0 disables"),
  LEDGIX_POLICY_IMPORT_HOSTS: z.string().default("")
    .transform((v) => v.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean))
    .describe("Hosts policies may be imported from (comma-separated); empty disables import"),
  LEDGIX_POLICY_IMPORT_ALLOW_LOOPBACK: z.stringbool().default(false)
    .describe("Let imports reach loopback addresses (tests, local development); private and link-local stay refused"),
  LEDGIX_ALLOW_PRIVATE_URLS: z.stringbool().default(false)
    .describe("Let webhooks, Slack messages and push endpoints reach private, loopback and link-local addresses (tests, local development)"),
  LEDGIX_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional()
    .describe("Turns on GET /api/metrics (Prometheus), which then requires Authorization: Bearer <this token>"),
  // The audit stream for SIEMs (lib/audit, docs/audit-stream.md): each variable set turns on one sink.
  LEDGIX_AUDIT_SYSLOG_URL: z.string().regex(/^(tcp|tls):\/\/(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):\d{1,5}\/?$/, "must be tcp://host:port or tls://host:port").optional()
    .describe("Ship audit events to this syslog collector: RFC 5424 over TCP, octet-counted (RFC 6587); tls:// for TLS"),
  LEDGIX_AUDIT_HEC_URL: z.url().optional().describe("Ship audit events to this Splunk HTTP Event Collector (its base URL, e.g. https://splunk:8088)"),
  LEDGIX_AUDIT_HEC_TOKEN: z.string().min(1).optional().describe("The HEC token (sent as Authorization: Splunk <token>)"),
  LEDGIX_AUDIT_FILE: z.string().min(1).optional().describe("Append audit events to this file, one JSON object per line"),
  // OpenTelemetry traces (lib/telemetry, docs/tracing.md): on when an OTLP endpoint is set; the SDK reads the other OTEL_* itself.
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional().describe("http/protobuf (the default) or http/json; grpc is not supported"),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional().describe("Slack app signing secret: turns on Approve/Deny buttons in Slack messages"),
  SLACK_BOT_TOKEN: z.string().min(1).optional().describe("Slack bot token (users:read.email), to map a Slack user to a member by email"),
  SLACK_API_URL: z.url().optional().describe("Slack Web API base URL (tests point it at a local server)"),
}).refine(
  (e) => e.LEDGIX_SEQUENCER_INTERVAL_MS + e.LEDGIX_CHECKPOINT_INTERVAL_MS < e.LEDGIX_LEDGER_MMD_SECONDS * 1000,
  { path: ["LEDGIX_LEDGER_MMD_SECONDS"], message: "must exceed the sequencer plus checkpoint intervals" },
).refine(
  (e) => Boolean(e.LEDGIX_AUDIT_HEC_URL) === Boolean(e.LEDGIX_AUDIT_HEC_TOKEN),
  { path: ["LEDGIX_AUDIT_HEC_TOKEN"], message: "and LEDGIX_AUDIT_HEC_URL must be set together" },
);

export type Env = z.infer<typeof envSchema> & { dataDir: string };

/** A malformed environment variable; its message names the variable. */
export class InvalidEnvError extends Error {}

let cached: Env | undefined;

/** The parsed environment. A malformed variable stops the process with a message naming it. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`);
    throw new InvalidEnvError(`Invalid environment variable: ${problems.join("; ")}`);
  }
  // Relative to the app, not the shell: the CLI run from a subfolder finds the server's data.
  const appRoot = process.env.LEDGIX_APP_ROOT ?? process.cwd();
  cached = { ...parsed.data, dataDir: path.resolve(appRoot, parsed.data.LEDGIX_DATA_DIR) };
  return cached;
}
