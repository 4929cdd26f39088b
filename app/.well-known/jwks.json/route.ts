// GET /.well-known/jwks.json — keys that verify A-JWTs and ledger signatures
import { allowOnly } from "@/lib/api/fallbacks";
export { getJwks as GET } from "@/lib/api/jwks-route";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
