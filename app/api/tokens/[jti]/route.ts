// GET /api/tokens/{jti} — where and when a token was consumed, and the upstream's status
export { getTokenConsumption as GET } from "@/lib/tokens/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
