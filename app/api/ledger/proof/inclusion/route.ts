// GET /api/ledger/proof/inclusion — inclusion proof of one decision
export { getInclusionProof as GET } from "@/lib/ledger/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
