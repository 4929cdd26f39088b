// POST /api/tokens/{jti}/execution — the protected service's HTTP status for a consumed token's action
import { allowOnly } from "@/lib/api/fallbacks";
export { postExecutionReport as POST } from "@/lib/tokens/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
