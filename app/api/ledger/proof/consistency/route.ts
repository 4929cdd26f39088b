// GET /api/ledger/proof/consistency — consistency proof between two checkpoints
import { allowOnly } from "@/lib/api/fallbacks";
export { getConsistencyProof as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
