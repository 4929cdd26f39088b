// GET /api/ledger/checkpoints — recent signed checkpoints
import { allowOnly } from "@/lib/api/fallbacks";
export { getCheckpoints as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
