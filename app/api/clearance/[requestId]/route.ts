// GET /api/clearance/{request_id} — the current state of a clearance request
export { getClearanceStatus as GET } from "@/lib/clearance/routes";
