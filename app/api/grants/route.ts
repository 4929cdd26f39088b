// GET /api/grants — the tenant's live standing approvals
import { allowOnly } from "@/lib/api/fallbacks";
export { getGrants as GET } from "@/lib/grants/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
