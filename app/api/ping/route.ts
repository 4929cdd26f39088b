// GET /api/ping — no database, no auth: the baseline the benchmark compares against
import type { NextRequest } from "next/server";
import { allowOnly } from "@/lib/api/fallbacks";
import { answer } from "@/lib/api/handler";

export const GET = (req: NextRequest) => answer(req, async () => Response.json({ ok: true }));
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
