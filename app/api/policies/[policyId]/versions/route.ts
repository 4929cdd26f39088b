// GET /api/policies/:policyId/versions — list a policy's versions
export { getPolicyVersions as GET } from "@/lib/policy/routes";
