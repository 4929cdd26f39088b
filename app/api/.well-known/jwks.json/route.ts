// GET /api/.well-known/jwks.json — the JWKS under the SDKs' base URL
export { getJwks as GET } from "@/lib/keys/jwks-route";
