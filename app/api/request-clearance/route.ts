// POST /api/request-clearance — the SDKs' name for POST /api/clearance
export { postClearance as POST } from "@/lib/clearance/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
