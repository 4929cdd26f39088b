// GET /api/ping — no database, no auth: the baseline the benchmark compares against
export const GET = () => Response.json({ ok: true });
