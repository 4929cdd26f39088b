// POST /api/policies/import — import a policy from an allowlisted URL
export { postImportPolicy as POST } from "@/lib/policy/routes";
