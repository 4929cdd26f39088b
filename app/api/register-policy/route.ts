// POST /api/register-policy — register (or version) a plain-English policy
export { postRegisterPolicy as POST } from "@/lib/policy/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
