// POST /api/policies — upload a policy document as its new active version
export { postPolicy as POST } from "@/lib/policy/routes";
