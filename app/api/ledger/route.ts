// GET /api/ledger — recent ledger entries
import { allowOnly } from "@/lib/api/fallbacks";
export { getEntries as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
