// GET /api/ledger/checkpoint/verifier-key — the C2SP verifier key of the checkpoint notes (text/plain)
import { allowOnly } from "@/lib/api/fallbacks";
export { getVerifierKey as GET } from "@/lib/ledger/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
