// GET /api/clearance/{request_id} — the current state of a clearance request
import { allowOnly } from "@/lib/api/fallbacks";
export { getClearanceStatus as GET } from "@/lib/clearance/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
