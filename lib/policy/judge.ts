import { createHash } from "node:crypto";
import { SpanKind } from "@opentelemetry/api";
import type OpenAI from "openai";
import pLimit from "p-limit";
import { z } from "zod";
import { jcs } from "@/lib/canonical-json";
import { env } from "@/lib/env";
import { guardedFetch, REFUSED_ADDRESS } from "@/lib/security/outbound-url";
import { inSpan } from "@/lib/telemetry/spans";
import { confidenceBucketSchema } from "./confidence";
import type { ConditionInput } from "./condition";
import { judgeMessages } from "./judge-prompt";
import type { PolicyDocument } from "./schemas";

export interface JudgeConfig {
  baseURL: string;
  model: string;
  /** Null for a tenant's base URL without a key of its own: the judge is not called (fail closed). */
  apiKey: string | null;
  timeoutMs: number;
  /**
   * The base URL is the tenant's (its judge settings), not the operator's LEDGIX_JUDGE_BASE_URL:
   * reached only through the outbound-URL guard, as webhooks are.
   */
  tenantUrl: boolean;
}

/** The only answer a judge may give; anything else is `judge_invalid_output`. */
export const judgeAnswerSchema = z.strictObject({
  decision: z.enum(["approve", "deny", "review"]),
  confidence_bucket: confidenceBucketSchema,
  reason: z.string().max(4000),
  rule: z.string().max(4000),
});
export type JudgeAnswer = z.infer<typeof judgeAnswerSchema>;

function answerJsonSchema(): Record<string, unknown> {
  const schema: Record<string, unknown> = z.toJSONSchema(judgeAnswerSchema);
  delete schema.$schema; // OpenAI's strict mode accepts only the schema itself
  return schema;
}

const RESPONSE_FORMAT = {
  type: "json_schema",
  json_schema: { name: "ledgix_verdict", strict: true, schema: answerJsonSchema() },
} as const;

export class JudgeFailure extends Error {
  constructor(readonly code: "judge_unavailable" | "judge_invalid_output", message: string, readonly latencyMs: number) {
    super(message);
  }
}

export interface JudgeResult {
  answer: JudgeAnswer;
  latencyMs: number;
  cached: boolean;
}

// The OpenAI SDK, loaded at the first judge call: most policies have no judge, and every CLI
// command, which loads this module, would pay a tenth of a second of CPU for it (issue 18).
let sdk: typeof import("openai") | undefined;

// One client per endpoint and key; retries are off because a slow judge keeps the agent waiting.
const clients = new Map<string, OpenAI>();
async function clientFor(config: JudgeConfig & { apiKey: string }): Promise<OpenAI> {
  const key = `${config.baseURL}\n${config.apiKey}\n${config.timeoutMs}\n${config.tenantUrl}`;
  let client = clients.get(key);
  if (!client) {
    sdk ??= await import("openai");
    client = new sdk.default({
      baseURL: config.baseURL,
      apiKey: config.apiKey,
      timeout: config.timeoutMs,
      maxRetries: 0,
      ...(config.tenantUrl ? { fetch: guardedFetch } : {}),
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * Why a call failed, for the request's reason. Never the judge's answer body: a tenant's
 * judge URL could point anywhere, and its body would land in a reason the agent reads.
 */
function unavailableReason(error: unknown): string {
  // Without the SDK loaded (its import failed) no error can be one of its own.
  if (sdk && error instanceof sdk.APIConnectionTimeoutError) return "The judge did not answer in time.";
  if (sdk && error instanceof sdk.APIError && error.status !== undefined) return `The judge answered HTTP ${error.status}.`;
  if ((error as { cause?: { code?: string } }).cause?.code === REFUSED_ADDRESS) {
    return "The judge's URL leads to an address that may not be reached (private, loopback or link-local).";
  }
  return "The judge could not be reached.";
}

let limiter: ReturnType<typeof pLimit> | undefined;
const limit = () => (limiter ??= pLimit(env().LEDGIX_JUDGE_CONCURRENCY));

const cache = new Map<string, { result: JudgeResult; expires: number }>();
const MAX_CACHED = 5000;

/** Requests that differ only in session or time get the same answer: the judge never sees those. */
const cacheKey = (config: JudgeConfig, document: PolicyDocument, input: ConditionInput) =>
  createHash("sha256")
    .update(jcs({ url: config.baseURL, model: config.model, policy: document, tool: input.tool, args: input.args, agent_id: input.agent_id, context: input.context }))
    .digest("hex");

async function ask(config: JudgeConfig, document: PolicyDocument, input: ConditionInput): Promise<JudgeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { apiKey } = config;
  if (apiKey === null) {
    throw new JudgeFailure("judge_unavailable", "The tenant's judge URL has no API key of its own (the operator's key is never sent to it).", elapsed());
  }
  let content: string | null | undefined;
  try {
    const client = await clientFor({ ...config, apiKey });
    const completion = await client.chat.completions.create({
      model: config.model,
      messages: judgeMessages(document, input),
      response_format: RESPONSE_FORMAT,
      temperature: 0,
    });
    content = completion.choices[0]?.message?.content;
  } catch (error) {
    throw new JudgeFailure("judge_unavailable", unavailableReason(error), elapsed());
  }
  let value: unknown;
  try {
    value = JSON.parse(content ?? "");
  } catch {
    throw new JudgeFailure("judge_invalid_output", "The judge's answer is not JSON.", elapsed());
  }
  const answer = judgeAnswerSchema.safeParse(value);
  if (!answer.success) {
    throw new JudgeFailure("judge_invalid_output", `The judge's answer does not match the verdict schema: ${answer.error.issues[0]!.path.join(".")}`, elapsed());
  }
  return { answer: answer.data, latencyMs: elapsed(), cached: false };
}

// The judge call's span, as the GenAI conventions describe a chat call to a model.
const judgeSpanAttributes = (config: JudgeConfig) => {
  const url = new URL(config.baseURL);
  return {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai", // the API it speaks; the server behind the base URL may be another
    "gen_ai.request.model": config.model,
    "server.address": url.hostname,
    ...(url.port ? { "server.port": Number(url.port) } : {}),
  };
};

/** Asks the judge about a request, at most LEDGIX_JUDGE_CONCURRENCY at a time. Throws JudgeFailure. */
export async function judgeRequest(config: JudgeConfig, document: PolicyDocument, input: ConditionInput): Promise<JudgeResult> {
  const ttlMs = env().LEDGIX_JUDGE_CACHE_SECONDS * 1000;
  const key = ttlMs > 0 ? cacheKey(config, document, input) : "";
  const hit = ttlMs > 0 ? cache.get(key) : undefined;
  if (hit && hit.expires > Date.now()) return { ...hit.result, latencyMs: 0, cached: true };
  const result = await limit()(() => inSpan(`chat ${config.model}`, judgeSpanAttributes(config), () => ask(config, document, input), { kind: SpanKind.CLIENT }));
  if (ttlMs > 0) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { result, expires: Date.now() + ttlMs });
  }
  return result;
}
