// GET /api/clearance/{request_id} — the current state of a clearance request
export { getClearanceStatus as GET } from "@/lib/clearance/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
