// Any path nothing else serves: JSON 404 for clients that ask for JSON, a short page for browsers
import type { NextRequest } from "next/server";
import { notFound } from "@/lib/api/fallbacks";

const PAGE = "<!doctype html><meta charset=utf-8><title>Not found</title><h1>404</h1><p>Nothing here. The API lives under /api.</p>\n";

function unknownPath(req: NextRequest): Promise<Response> | Response {
  if (req.headers.get("accept")?.includes("application/json")) return notFound(req);
  return new Response(PAGE, { status: 404, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

export { unknownPath as GET, unknownPath as POST, unknownPath as PUT, unknownPath as PATCH, unknownPath as DELETE, unknownPath as OPTIONS };
