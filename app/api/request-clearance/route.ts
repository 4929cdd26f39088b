// POST /api/request-clearance — the SDKs' name for POST /api/clearance
import { allowOnly } from "@/lib/api/fallbacks";
export { postClearance as POST } from "@/lib/clearance/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
