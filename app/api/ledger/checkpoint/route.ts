// GET /api/ledger/checkpoint — the latest checkpoint as a C2SP signed note (text/plain)
import { allowOnly } from "@/lib/api/fallbacks";
export { getCheckpointNote as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
