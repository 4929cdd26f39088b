// GET /api/ledger/proof/consistency — consistency proof between two checkpoints
export { getConsistencyProof as GET } from "@/lib/ledger/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
