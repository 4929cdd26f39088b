// GET /api/clearance-status/{request_id} — the SDKs' polling path; never answers 429
import { allowOnly } from "@/lib/api/fallbacks";
export { getClearanceStatus as GET } from "@/lib/clearance/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
