import { json, route } from "@/lib/api/handler";

// GET /api/health — 200 when the database answers
export const GET = route(async ({ prisma }) => {
  await prisma.$queryRaw`SELECT 1`;
  return json({ status: "ok" });
});
export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
