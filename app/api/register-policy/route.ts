// POST /api/register-policy — register (or version) a plain-English policy
import { allowOnly } from "@/lib/api/fallbacks";
export { postRegisterPolicy as POST } from "@/lib/policy/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
