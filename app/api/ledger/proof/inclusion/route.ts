// GET /api/ledger/proof/inclusion — inclusion proof of one decision
import { allowOnly } from "@/lib/api/fallbacks";
export { getInclusionProof as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
