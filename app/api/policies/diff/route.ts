// GET /api/policies/diff?from=&to= — diff two versions
export { getPolicyDiff as GET } from "@/lib/policy/routes";
