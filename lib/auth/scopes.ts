import { z } from "zod";
import { ApiError } from "@/lib/api/errors";

/**
 * What an API key may do. An agent's key needs `clearance` (request, poll, cancel, mint)
 * and `ledger` (entries, checkpoints, proofs); `policy` (register policies) is granted
 * only when asked for, so an agent cannot rewrite the rules it is judged by.
 */
export const API_KEY_SCOPES = ["clearance", "ledger", "policy"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const DEFAULT_API_KEY_SCOPES: ApiKeyScope[] = ["clearance", "ledger"];

export const apiKeyScopesSchema = z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length)
  .transform((scopes) => [...new Set(scopes)]);

export function requireScope(granted: readonly string[], needed: ApiKeyScope): void {
  if (!granted.includes(needed)) {
    throw new ApiError("insufficient_scope", `This API key lacks the "${needed}" scope.`);
  }
}
