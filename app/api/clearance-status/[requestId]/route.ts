// GET /api/clearance-status/{request_id} — the SDKs' polling path; never answers 429
export { getClearanceStatus as GET } from "@/lib/clearance/routes";
