// POST /api/policies/simulate — decide requests under a draft or version; stores nothing
export { postSimulate as POST } from "@/lib/policy/routes";
