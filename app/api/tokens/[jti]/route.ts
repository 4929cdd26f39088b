// GET /api/tokens/{jti} — where and when a token was consumed, and the upstream's status
import { allowOnly } from "@/lib/api/fallbacks";
export { getTokenConsumption as GET } from "@/lib/tokens/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
