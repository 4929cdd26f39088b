// POST /api/clearance — ask for a decision on a tool call
import { allowOnly } from "@/lib/api/fallbacks";
export { postClearance as POST } from "@/lib/clearance/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
