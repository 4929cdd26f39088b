// POST /api/clearance — ask for a decision on a tool call
export { postClearance as POST } from "@/lib/clearance/routes";
