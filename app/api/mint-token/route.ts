// POST /api/mint-token — a fresh A-JWT for a cached approval
import { allowOnly } from "@/lib/api/fallbacks";
export { postMintToken as POST } from "@/lib/clearance/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
