import { z } from "zod";
import { json, text } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { parseQuery } from "@/lib/api/query";
import { consistencyProof, inclusionProof, listCheckpoints, listEntries, MAX_PAGE, proofBundle } from "./read-ledger";
import { checkpointVerifierKey, latestCheckpointNote } from "./checkpoint-note";

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
// Clients send any number (PY clamps, TS does not): clamp to 1…500 as §6.1 recommends.
const limit = (fallback: number) =>
  z.coerce.number().int().default(fallback).transform((n) => Math.min(Math.max(n, 1), MAX_PAGE));
const requestId = z.object({ request_id: z.string().min(1).max(100).describe("The decision's request id (`req_…`)") });

// The query strings, exported for the OpenAPI document (lib/openapi).
export const ledgerQuerySchemas = {
  entries: z.object({ limit: limit(100).describe("1 to 500"), before: id.optional().describe("Entries with a smaller `seq`") }),
  checkpoints: z.object({ limit: limit(24).describe("1 to 500"), before: id.optional().describe("Checkpoints with a smaller id") }),
  requestId,
  consistency: z.object({ from: id.describe("The older checkpoint id"), to: id.describe("The newer checkpoint id") }),
};

// GET /api/ledger?limit=&before= — the tenant's most recent entries
export const getEntries = withApiKey(async ({ prisma, tenant, req }) => {
  const query = parseQuery(req, ledgerQuerySchemas.entries);
  return json({ entries: await listEntries(prisma, tenant.id, query.limit, query.before) });
}, "ledger");

// GET /api/ledger/checkpoints?limit=&before= — the most recent signed checkpoints
export const getCheckpoints = withApiKey(async ({ prisma, tenant, req }) => {
  const query = parseQuery(req, ledgerQuerySchemas.checkpoints);
  return json({ checkpoints: await listCheckpoints(prisma, tenant.id, query.limit, query.before) });
}, "ledger");

// GET /api/ledger/proof/inclusion?request_id= — inclusion in the latest checkpoint
export const getInclusionProof = withApiKey(async ({ prisma, tenant, req }) =>
  json(await inclusionProof(prisma, tenant.id, parseQuery(req, requestId).request_id)), "ledger",
);

// GET /api/ledger/proof/consistency?from=&to= — between two checkpoint ids
export const getConsistencyProof = withApiKey(async ({ prisma, tenant, req }) => {
  const query = parseQuery(req, ledgerQuerySchemas.consistency);
  return json(await consistencyProof(prisma, tenant.id, query.from, query.to));
}, "ledger");

// GET /api/ledger/proof/bundle?request_id= — everything to verify one decision offline
export const getProofBundle = withApiKey(async ({ prisma, tenant, req }) =>
  json(await proofBundle(prisma, tenant.id, parseQuery(req, requestId).request_id)), "ledger",
);

// GET /api/ledger/checkpoint — the latest checkpoint as a C2SP signed note, for witnesses
export const getCheckpointNote = withApiKey(async ({ prisma, tenant }) => text(await latestCheckpointNote(prisma, tenant.id)), "ledger");

// GET /api/ledger/checkpoint/verifier-key — the C2SP verifier key that opens those notes
export const getVerifierKey = withApiKey(async ({ prisma, tenant }) => text(`${await checkpointVerifierKey(prisma, tenant.id)}\n`), "ledger");
