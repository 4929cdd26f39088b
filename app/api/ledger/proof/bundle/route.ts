// GET /api/ledger/proof/bundle — self-contained proof bundle of one decision
export { getProofBundle as GET } from "@/lib/ledger/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
