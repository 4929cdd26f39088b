// GET /api/ledger — recent ledger entries
export { getEntries as GET } from "@/lib/ledger/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
