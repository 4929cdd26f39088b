// POST /api/request-clearance — the SDKs' name for POST /api/clearance
export { postClearance as POST } from "@/lib/clearance/routes";
