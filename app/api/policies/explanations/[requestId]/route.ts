// GET /api/policies/explanations/:requestId — how a request's decision was reached
export { getExplanation as GET } from "@/lib/policy/routes";
