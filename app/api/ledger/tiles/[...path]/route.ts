// GET /api/ledger/tiles/… — the tenant's log as C2SP tlog-tiles (checkpoint, hash tiles, entry bundles)
import { allowOnly } from "@/lib/api/fallbacks";
export { getTile as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
