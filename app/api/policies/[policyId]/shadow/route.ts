// POST /api/policies/:policyId/shadow — run a version in shadow
export { postShadow as POST } from "@/lib/policy/routes";
