// GET /api/clearance-status/{request_id} — the SDKs' polling path; never answers 429
export { getClearanceStatus as GET } from "@/lib/clearance/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
