// GET /api/ledger/checkpoints — recent signed checkpoints
export { getCheckpoints as GET } from "@/lib/ledger/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
