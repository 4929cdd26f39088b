import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { open, seal } from "@/lib/keys/secret-box";
import { assertOutboundUrl } from "@/lib/security/outbound-url";
import type { JudgeConfig } from "./judge";

// Binds a sealed key to its tenant: a ciphertext copied to another tenant's row does not open.
const sealContext = (tenantId: string) => `judge_api_key:${tenantId}`;

/**
 * The judge a tenant's plain-English rules go to: its own settings over the LEDGIX_JUDGE_*
 * defaults. Null when no base URL or model is configured. The operator's key goes only to
 * the operator's URL: a tenant's base URL gets the tenant's key, or none and the judge is
 * not called (a row saved before the key was required).
 */
export async function judgeConfigFor(prisma: PrismaClient, tenantId: string): Promise<JudgeConfig | null> {
  const own = await prisma.judgeSettings.findUnique({ where: { tenantId } });
  const defaults = env();
  const tenantUrl = Boolean(own?.baseUrl);
  const baseURL = own?.baseUrl ?? defaults.LEDGIX_JUDGE_BASE_URL;
  const model = own?.model ?? defaults.LEDGIX_JUDGE_MODEL;
  if (!baseURL || !model) return null;
  const ownKey = own?.apiKeySealed ? open(own.apiKeySealed, sealContext(tenantId)).toString("utf8") : null;
  // Local OpenAI-compatible servers often need no key; the client insists on a string.
  const apiKey = tenantUrl ? ownKey : (ownKey ?? defaults.LEDGIX_JUDGE_API_KEY ?? "none");
  return { baseURL, model, apiKey, timeoutMs: own?.timeoutMs ?? defaults.LEDGIX_JUDGE_TIMEOUT, tenantUrl };
}

export const judgeSettingsSchema = z.strictObject({
  base_url: z.url().max(2000).nullish().describe("OpenAI-compatible base URL (http or https, a public address); needs api_key; null returns to LEDGIX_JUDGE_BASE_URL"),
  model: z.string().min(1).max(200).nullish(),
  api_key: z.string().min(1).max(4000).nullish().describe("Stored encrypted; never returned"),
  timeout_ms: z.number().int().min(100).max(120_000).nullish(),
});

/**
 * Changes a tenant's judge settings; an absent field is kept, a null one cleared. Returns them
 * without the key. A base URL must pass the outbound-URL rules of webhooks (`url_refused`) and
 * come with the tenant's own key (`judge_api_key_required`): the operator's
 * LEDGIX_JUDGE_API_KEY is never sent to a URL a tenant chose.
 */
export async function updateJudgeSettings(prisma: PrismaClient, tenantId: string, input: z.output<typeof judgeSettingsSchema>) {
  if (input.base_url) assertOutboundUrl(input.base_url);
  const current = await prisma.judgeSettings.findUnique({ where: { tenantId }, select: { baseUrl: true, apiKeySealed: true } });
  const baseUrl = input.base_url !== undefined ? input.base_url : (current?.baseUrl ?? null);
  const hasKey = input.api_key !== undefined ? input.api_key !== null : Boolean(current?.apiKeySealed);
  if (baseUrl !== null && !hasKey) {
    throw new ApiError("judge_api_key_required", "A judge base URL of the tenant's own needs its own api_key; the operator's key is only sent to the operator's judge.");
  }
  const data = {
    ...(input.base_url !== undefined ? { baseUrl: input.base_url } : {}),
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(input.api_key !== undefined ? { apiKeySealed: input.api_key === null ? null : seal(input.api_key, sealContext(tenantId)) } : {}),
    ...(input.timeout_ms !== undefined ? { timeoutMs: input.timeout_ms } : {}),
  };
  const row = await prisma.judgeSettings.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
  return { base_url: row.baseUrl, model: row.model, api_key_set: row.apiKeySealed !== null, timeout_ms: row.timeoutMs };
}
