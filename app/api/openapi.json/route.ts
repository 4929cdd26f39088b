import { openApiDocument } from "@/lib/openapi/openapi";

// GET /api/openapi.json — the public API's OpenAPI document; no auth
export function GET() {
  return Response.json(openApiDocument());
}
