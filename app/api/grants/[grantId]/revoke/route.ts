// POST /api/grants/{grant_id}/revoke — end a standing approval at once
import { allowOnly } from "@/lib/api/fallbacks";
export { postRevokeGrant as POST } from "@/lib/grants/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
