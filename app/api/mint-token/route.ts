// POST /api/mint-token — a fresh A-JWT for a cached approval
export { postMintToken as POST } from "@/lib/clearance/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
