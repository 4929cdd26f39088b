// GET /api/.well-known/jwks.json — the JWKS under the SDKs' base URL
import { allowOnly } from "@/lib/api/fallbacks";
export { getJwks as GET } from "@/lib/api/jwks-route";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
