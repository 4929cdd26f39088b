// POST /api/access/v1/evaluations — AuthZEN Access Evaluations, several in one request (docs/authzen.md)
import { allowOnly } from "@/lib/api/fallbacks";
export { postEvaluations as POST } from "@/lib/authzen/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
