// GET /api/policies/shadow — shadow decisions that disagree with the active version
export { getShadowDecisions as GET } from "@/lib/policy/routes";
