import { z } from "zod";
import { clearanceResponseSchema, mintTokenBodySchema } from "@/lib/clearance/schemas";
import { clearanceBodySchema } from "@/lib/policy/request-body";
import { reviewDecisionBodySchema } from "@/lib/review/schemas";
import { registerPolicyBodySchema } from "@/lib/policy/schemas";
import { ERROR_CODES } from "@/lib/api/errors";

// Request bodies as clients send them (before defaults), responses as the server sends them.
const input = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "openapi-3.0" });
const output = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output", unrepresentable: "any", target: "openapi-3.0" });

const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string", enum: Object.keys(ERROR_CODES), description: "Stable, machine-readable" }, message: { type: "string", description: "For people" } },
      required: ["code", "message"],
    },
  },
};
const errors = { default: { description: "An error: `{ error: { code, message } }`", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } };
const decision = { description: "The decision", content: { "application/json": { schema: { $ref: "#/components/schemas/ClearanceResponse" } } } };
const body = (ref: string) => ({ required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idempotency = { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" }, description: "Replays the first response for 24 hours" };
const requestIdParam = { name: "requestId", in: "path", required: true, schema: { type: "string" } };

/** The public API as OpenAPI 3.0, generated from the same zod schemas that validate it. */
export function openApiDocument() {
  return {
    openapi: "3.0.3",
    info: { title: "Ledgix vault API", version: "1", description: "Ask for clearance before an agent runs a tool. Authenticate with `X-Vault-API-Key` (or `Authorization: Bearer`)." },
    servers: [{ url: "/api" }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-Vault-API-Key" } },
      schemas: {
        ClearanceRequest: input(clearanceBodySchema),
        ClearanceResponse: output(clearanceResponseSchema),
        MintTokenRequest: input(mintTokenBodySchema),
        ReviewDecisionRequest: input(reviewDecisionBodySchema),
        RegisterPolicyRequest: input(registerPolicyBodySchema),
        Error: errorSchema,
      },
    },
    paths: {
      "/clearance": { post: { summary: "Ask for a decision on a tool call", parameters: [idempotency], requestBody: body("ClearanceRequest"), responses: { 200: decision, 202: { ...decision, description: "Not decided yet (`processing`); poll the status" }, ...errors } } },
      "/clearance-status/{requestId}": { get: { summary: "Poll a request's decision; never answers 429", parameters: [requestIdParam], responses: { 200: decision, ...errors } } },
      "/mint-token": { post: { summary: "A fresh token for a client-cached approval", parameters: [idempotency], requestBody: body("MintTokenRequest"), responses: { 200: decision, ...errors } } },
      "/reviews/{requestId}/decision": { post: { summary: "An agent cancels its own pending request", parameters: [requestIdParam], requestBody: body("ReviewDecisionRequest"), responses: { 200: decision, ...errors } } },
      "/register-policy": { post: { summary: "Register a plain-English policy", parameters: [idempotency], requestBody: body("RegisterPolicyRequest"), responses: { 200: { description: "The stored policy version" }, ...errors } } },
      "/health": { get: { summary: "200 when the database answers", security: [], responses: { 200: { description: "Healthy" }, ...errors } } },
    },
  };
}
