import { z } from "zod";

export const consumeTokenBodySchema = z.object({
  token: z.string().min(1).max(8192).describe("The A-JWT presented at the tool boundary"),
  consumer: z.string().max(200).default("").describe("Label of the gateway or service consuming it, for the audit trail"),
});

export const executionReportBodySchema = z.object({
  status: z.number().int().min(100).max(599).describe("HTTP status the protected service answered"),
});

export const consumedTokenSchema = z.object({
  jti: z.string(),
  request_id: z.string(),
  tool: z.string(),
  consumer: z.string(),
  consumed_at: z.string(),
  execution_status: z.number().int().nullable(),
  executed_at: z.string().nullable(),
});

export type ConsumedToken = z.infer<typeof consumedTokenSchema>;
