// POST /api/tokens/{jti}/execution — the protected service's HTTP status for a consumed token's action
export { postExecutionReport as POST } from "@/lib/tokens/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
