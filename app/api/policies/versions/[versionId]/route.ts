// GET /api/policies/versions/:versionId — show one version
export { getPolicyVersion as GET } from "@/lib/policy/routes";
