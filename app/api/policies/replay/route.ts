// POST /api/policies/replay — replay recorded requests under a draft or version
export { postReplay as POST } from "@/lib/policy/routes";
