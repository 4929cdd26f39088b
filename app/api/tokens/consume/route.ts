// POST /api/tokens/consume — use an A-JWT exactly once, where its action runs
export { postConsumeToken as POST } from "@/lib/tokens/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
