// GET /.well-known/authzen-configuration — the AuthZEN PDP metadata naming the evaluation endpoints
import { allowOnly } from "@/lib/api/fallbacks";
export { getPdpMetadata as GET } from "@/lib/authzen/routes";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
