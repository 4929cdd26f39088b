// GET /api/.well-known/jwks.json — the JWKS under the SDKs' base URL
export { getJwks as GET } from "@/lib/api/jwks-route";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
