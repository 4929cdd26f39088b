import { createHash } from "node:crypto";
import OpenAI from "openai";
import pLimit from "p-limit";
import { z } from "zod";
import { jcs } from "@/lib/canonical-json";
import { env } from "@/lib/env";
import { confidenceBucketSchema } from "./confidence";
import type { ConditionInput } from "./condition";
import { judgeMessages } from "./judge-prompt";
import type { PolicyDocument } from "./schemas";

export interface JudgeConfig {
  baseURL: string;
  model: string;
  apiKey: string;
  timeoutMs: number;
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

// One client per endpoint and key; retries are off because a slow judge keeps the agent waiting.
const clients = new Map<string, OpenAI>();
function clientFor(config: JudgeConfig): OpenAI {
  const key = `${config.baseURL}\n${config.apiKey}\n${config.timeoutMs}`;
  let client = clients.get(key);
  if (!client) {
    client = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey, timeout: config.timeoutMs, maxRetries: 0 });
    clients.set(key, client);
  }
  return client;
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
  let content: string | null | undefined;
  try {
    const completion = await clientFor(config).chat.completions.create({
      model: config.model,
      messages: judgeMessages(document, input),
      response_format: RESPONSE_FORMAT,
      temperature: 0,
    });
    content = completion.choices[0]?.message?.content;
  } catch (error) {
    throw new JudgeFailure("judge_unavailable", `The judge could not be reached: ${(error as Error).message.split("\n")[0]}`, elapsed());
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

/** Asks the judge about a request, at most LEDGIX_JUDGE_CONCURRENCY at a time. Throws JudgeFailure. */
export async function judgeRequest(config: JudgeConfig, document: PolicyDocument, input: ConditionInput): Promise<JudgeResult> {
  const ttlMs = env().LEDGIX_JUDGE_CACHE_SECONDS * 1000;
  const key = ttlMs > 0 ? cacheKey(config, document, input) : "";
  const hit = ttlMs > 0 ? cache.get(key) : undefined;
  if (hit && hit.expires > Date.now()) return { ...hit.result, latencyMs: 0, cached: true };
  const result = await limit()(() => ask(config, document, input));
  if (ttlMs > 0) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { result, expires: Date.now() + ttlMs });
  }
  return result;
}
