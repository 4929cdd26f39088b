// POST /api/access/v1/evaluation — AuthZEN Access Evaluation (docs/authzen.md)
import { allowOnly } from "@/lib/api/fallbacks";
export { postEvaluation as POST } from "@/lib/authzen/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
