// POST /api/tokens/consume — use an A-JWT exactly once, where its action runs
import { allowOnly } from "@/lib/api/fallbacks";
export { postConsumeToken as POST } from "@/lib/tokens/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
