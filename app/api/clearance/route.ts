// POST /api/clearance — ask for a decision on a tool call
export { postClearance as POST } from "@/lib/clearance/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
