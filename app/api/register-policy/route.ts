// POST /api/register-policy — register (or version) a plain-English policy
export { postRegisterPolicy as POST } from "@/lib/policy/routes";
