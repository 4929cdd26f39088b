import { z } from "zod";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { open, seal } from "@/lib/keys/secret-box";
import type { JudgeConfig } from "./judge";

// Binds a sealed key to its tenant: a ciphertext copied to another tenant's row does not open.
const sealContext = (tenantId: string) => `judge_api_key:${tenantId}`;

/**
 * The judge a tenant's plain-English rules go to: its own settings over the LEDGIX_JUDGE_*
 * defaults. Null when no base URL or model is configured.
 */
export async function judgeConfigFor(prisma: PrismaClient, tenantId: string): Promise<JudgeConfig | null> {
  const own = await prisma.judgeSettings.findUnique({ where: { tenantId } });
  const defaults = env();
  const baseURL = own?.baseUrl ?? defaults.LEDGIX_JUDGE_BASE_URL;
  const model = own?.model ?? defaults.LEDGIX_JUDGE_MODEL;
  if (!baseURL || !model) return null;
  const apiKey = own?.apiKeySealed ? open(own.apiKeySealed, sealContext(tenantId)).toString("utf8") : defaults.LEDGIX_JUDGE_API_KEY;
  // Local OpenAI-compatible servers often need no key; the client insists on a string.
  return { baseURL, model, apiKey: apiKey ?? "none", timeoutMs: own?.timeoutMs ?? defaults.LEDGIX_JUDGE_TIMEOUT };
}

export const judgeSettingsSchema = z.strictObject({
  base_url: z.url().max(2000).nullish().describe("OpenAI-compatible base URL; null returns to LEDGIX_JUDGE_BASE_URL"),
  model: z.string().min(1).max(200).nullish(),
  api_key: z.string().min(1).max(4000).nullish().describe("Stored encrypted; never returned"),
  timeout_ms: z.number().int().min(100).max(120_000).nullish(),
});

/** Changes a tenant's judge settings; an absent field is kept, a null one cleared. Returns them without the key. */
export async function updateJudgeSettings(prisma: PrismaClient, tenantId: string, input: z.output<typeof judgeSettingsSchema>) {
  const data = {
    ...(input.base_url !== undefined ? { baseUrl: input.base_url } : {}),
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(input.api_key !== undefined ? { apiKeySealed: input.api_key === null ? null : seal(input.api_key, sealContext(tenantId)) } : {}),
    ...(input.timeout_ms !== undefined ? { timeoutMs: input.timeout_ms } : {}),
  };
  const row = await prisma.judgeSettings.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
  return { base_url: row.baseUrl, model: row.model, api_key_set: row.apiKeySealed !== null, timeout_ms: row.timeoutMs };
}
