// GET /.well-known/jwks.json — keys that verify A-JWTs and ledger signatures
export { getJwks as GET } from "@/lib/api/jwks-route";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
