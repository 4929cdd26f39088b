import type { NextRequest } from "next/server";
import type { z } from "zod";
import { parseBody } from "@/lib/api/body";
import { ApiError } from "@/lib/api/errors";
import { json, route } from "@/lib/api/handler";
import { publicUrl } from "@/lib/auth/public-url";
import { withApiKey } from "@/lib/auth/with-api-key";
import { withInflightLimit } from "@/lib/clearance/overload";
import { enforceKeyQuota } from "@/lib/rate-limit/guard-authentication";
import { decide } from "./decide";
import { decideInTurn, evaluationsOf, mapEvaluations } from "./evaluations";
import { clearanceBodyOf } from "./map-evaluation";
import { evaluationRequestSchema, evaluationsRequestSchema, evaluationsResponseSchema, pdpMetadataSchema } from "./schemas";

// The AuthZEN Authorization API 1.0 endpoints (docs/authzen.md).

type RouteHandler<C> = (req: NextRequest, context: C) => Promise<Response>;

/**
 * The transport rules of §10.1.3 and §11.3 on top of the API's own: the PEP's X-Request-ID comes
 * back exactly as sent (the API otherwise replaces one that is not a plain token), and a 401
 * names its scheme in WWW-Authenticate.
 */
function speaksAuthzen<C>(handler: RouteHandler<C>): RouteHandler<C> {
  return async (req, context) => {
    const response = await handler(req, context);
    const requestId = req.headers.get("x-request-id");
    if (requestId) response.headers.set("X-Request-Id", requestId);
    if (response.status === 401) response.headers.set("WWW-Authenticate", 'Bearer realm="ledgix"');
    return response;
  };
}

/** §10.1.1: a body that omits a required attribute (or is not of the model's shape) is a 400, not the API's usual 422. */
function parseEvaluationBody<S extends z.ZodType>(rawBody: string, schema: S): z.output<S> {
  try {
    return parseBody(rawBody, schema);
  } catch (error) {
    if (error instanceof ApiError && error.code === "validation_failed") throw new ApiError("invalid_request", error.message, error.details);
    throw error;
  }
}

// POST /api/access/v1/evaluation — one AuthZEN Access Evaluation (§6), decided as a clearance request
export const postEvaluation = speaksAuthzen(withInflightLimit(withApiKey(async ({ prisma, tenant, apiKeyId, rawBody }) => {
  const evaluation = parseEvaluationBody(rawBody, evaluationRequestSchema);
  return json(await decide({ prisma, tenant, apiKeyId }, { body: clearanceBodyOf(evaluation), rawBody }));
}, "clearance")));

// POST /api/access/v1/evaluations — several evaluations in one request (§7), under one of its semantics
export const postEvaluations = speaksAuthzen(withInflightLimit(withApiKey(async ({ prisma, tenant, apiKeyId, rawBody }) => {
  const request = parseEvaluationBody(rawBody, evaluationsRequestSchema);
  const caller = { prisma, tenant, apiKeyId };
  const evaluations = evaluationsOf(request);
  // Without an `evaluations` array the request is a single evaluation, and so is its answer (§7.1).
  if (!request.evaluations?.length) return json(await decide(caller, { body: clearanceBodyOf(evaluations[0]!), rawBody }));
  const mapped = mapEvaluations(evaluations);
  // Each evaluation is a clearance request to the key's quota too (withApiKey counted the first).
  if (mapped.length > 1) await enforceKeyQuota(prisma, tenant, apiKeyId, mapped.length - 1);
  const semantic = request.options?.evaluations_semantic ?? "execute_all";
  const decisions = await decideInTurn(mapped, semantic, (evaluation) => decide(caller, evaluation));
  return json(evaluationsResponseSchema.parse({ evaluations: decisions }));
}, "clearance")));

/** The PDP metadata (§9): this vault's public URL and its two evaluation endpoints. */
export function pdpMetadata() {
  const base = publicUrl();
  return pdpMetadataSchema.parse({
    policy_decision_point: base,
    access_evaluation_endpoint: `${base}/api/access/v1/evaluation`,
    access_evaluations_endpoint: `${base}/api/access/v1/evaluations`,
  });
}

// GET /.well-known/authzen-configuration — public; metadata may be cached (§11.9)
export const getPdpMetadata = route(async () => json(pdpMetadata(), 200, { "Cache-Control": "public, max-age=300" }));
