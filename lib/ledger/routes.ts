import { z } from "zod";
import type { NextRequest } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { json, octets, route, text, type ApiResult } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { parseQuery } from "@/lib/api/query";
import type { PrismaClient } from "@/lib/db";
import { TILES_PREFIX } from "@/lib/security/headers";
import { consistencyProof, inclusionProof, listCheckpoints, listEntries, MAX_PAGE, proofBundle } from "./read-ledger";
import { checkpointVerifierKey, servedCheckpointNote } from "./checkpoint-note";
import { parseTilePath, readEntryBundle, readHashTile, type TileResource } from "./tiles";

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
export const getCheckpointNote = withApiKey(async ({ prisma, tenant }) => text(await servedCheckpointNote(prisma, tenant)), "ledger");

// GET /api/ledger/checkpoint/verifier-key — the C2SP verifier key that opens those notes
export const getVerifierKey = withApiKey(async ({ prisma, tenant }) => text(`${await checkpointVerifierKey(prisma, tenant.id)}\n`), "ledger");

// A tenant id may lead the tile path: the only way to name a log without a key (public tiles).
const TENANT_SEGMENT = /^(ten_[0-9a-z]{26})\/(.*)$/;

function tileRequest(req: NextRequest): { tenantId?: string; resource: TileResource } {
  const path = req.nextUrl.pathname.slice(TILES_PREFIX.length);
  const named = TENANT_SEGMENT.exec(path);
  return named ? { tenantId: named[1], resource: parseTilePath(named[2]!) } : { resource: parseTilePath(path) };
}

// The checkpoint changes with every new one; tiles never change once served.
const FOREVER = "max-age=31536000, immutable";

async function serveTile(prisma: PrismaClient, tenant: { id: string; witnessQuorum: number }, resource: TileResource, visibility: "public" | "private"): Promise<ApiResult> {
  if (resource.kind === "checkpoint") return text(await servedCheckpointNote(prisma, tenant), 200, { "Cache-Control": "no-cache" });
  const cache = { "Cache-Control": `${visibility}, ${FOREVER}` };
  if (resource.kind === "hashes") return octets(await readHashTile(prisma, tenant.id, resource), cache);
  return octets(await readEntryBundle(prisma, tenant.id, resource), cache);
}

const keyedTiles = withApiKey(async ({ prisma, tenant, req }) => {
  const { tenantId, resource } = tileRequest(req);
  if (tenantId && tenantId !== tenant.id) throw new ApiError("not_found", "This API key's tenant has no log by that id.");
  return serveTile(prisma, tenant, resource, "private");
}, "ledger");

// Without a key: the checkpoint and hash tiles of a tenant that made them public. Entry
// bundles hold every event hash, which with a guess of the arguments confirms a decision:
// they always need a key. An unknown tenant answers as a private one, so ids cannot be probed.
const publicTiles = route(async ({ prisma, req }) => {
  const { tenantId, resource } = tileRequest(req);
  const tenant = tenantId ? await prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true, witnessQuorum: true, ledgerPublicTiles: true } }) : null;
  if (!tenant?.ledgerPublicTiles || resource.kind === "entries") {
    throw new ApiError("missing_api_key", resource.kind === "entries"
      ? "Entry bundles need an API key with the ledger scope (X-Vault-API-Key)."
      : "Send an API key with the ledger scope (X-Vault-API-Key); only tenants with public tiles serve them without one, under /api/ledger/tiles/<tenant id>/.");
  }
  return serveTile(prisma, tenant, resource, "public");
});

const presentsApiKey = (req: NextRequest) => req.headers.has("x-vault-api-key") || req.headers.has("authorization");

// GET /api/ledger/tiles/[<tenant id>/]checkpoint | tile/<L>/<N>[.p/<W>] | tile/entries/<N>[.p/<W>] — C2SP tlog-tiles
export async function getTile(req: NextRequest, next: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
  const res = await (presentsApiKey(req) ? keyedTiles : publicTiles)(req, next as { params: Promise<Record<string, string>> });
  // Refusals are not tiles: like every other API answer, they are never cached.
  if (!res.ok) res.headers.set("Cache-Control", "no-store");
  return res;
}
