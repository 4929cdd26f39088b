import { allowOnly } from "@/lib/api/fallbacks";
import { json, route } from "@/lib/api/handler";

// GET /api/health — 200 when the database answers
export const GET = route(async ({ prisma }) => {
  await prisma.$queryRaw`SELECT 1`;
  return json({ status: "ok" });
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
