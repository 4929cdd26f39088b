import type { NextRequest } from "next/server";
import { ApiError } from "./errors";

// Next answers unknown methods and paths with empty or HTML bodies; the API answers
// every request with its JSON error envelope instead.

export function methodNotAllowed(req: NextRequest): Response {
  const error = new ApiError("method_not_allowed", `${req.method} is not allowed on ${req.nextUrl.pathname}.`);
  return Response.json(error.toBody(), { status: error.status });
}

export function notFound(req: NextRequest): Response {
  const error = new ApiError("not_found", `No API endpoint ${req.method} ${req.nextUrl.pathname}.`);
  return Response.json(error.toBody(), { status: error.status });
}
