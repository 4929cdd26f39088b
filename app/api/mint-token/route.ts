// POST /api/mint-token — a fresh A-JWT for a cached approval
export { postMintToken as POST } from "@/lib/clearance/routes";
