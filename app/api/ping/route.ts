// GET /api/ping — no database, no auth: the baseline the benchmark compares against
export const GET = () => Response.json({ ok: true });
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
