// POST /api/policies/versions/:versionId/activate — activate a version
export { postActivateVersion as POST } from "@/lib/policy/routes";
