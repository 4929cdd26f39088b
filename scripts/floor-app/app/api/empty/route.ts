// POST /api/empty: what a Next.js route handler costs before it does anything.
export const POST = () => Response.json({ ok: true });
