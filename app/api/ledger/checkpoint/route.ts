// GET /api/ledger/checkpoint — the latest checkpoint as a C2SP signed note (text/plain)
export { getCheckpointNote as GET } from "@/lib/ledger/routes";
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
