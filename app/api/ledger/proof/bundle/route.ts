// GET /api/ledger/proof/bundle — self-contained proof bundle of one decision
import { allowOnly } from "@/lib/api/fallbacks";
export { getProofBundle as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
