import type { IncomingMessage } from "node:http";
import type { NextRequest } from "next/server";
import { ApiError } from "./errors";
import { answer } from "./handler";

// Next answers unknown methods and paths with empty or HTML bodies; the API answers
// every request with its JSON error envelope instead.

// Next routes only these methods and answers any other (TRACE, CONNECT, …) with a bare
// 400. The server hands such a request to its route as OPTIONS, which every route
// answers with 405, naming the method sent in this header.
const ROUTABLE = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
const SENT_METHOD = "x-ledgix-sent-method";

/** For the HTTP server, before Next sees the request. */
export function routeUnroutableMethod(req: IncomingMessage) {
  delete req.headers[SENT_METHOD];
  if (ROUTABLE.has(req.method ?? "")) return;
  req.headers[SENT_METHOD] = req.method;
  req.method = "OPTIONS";
}

/** 405 handlers for every method a route does not serve: `export const { PUT, … } = allowOnly("GET")`. */
export function allowOnly(...allowed: ("GET" | "POST")[]) {
  const allow = allowed.flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method])).join(", ");
  const notAllowed = (req: NextRequest) =>
    answer(req, async () => {
      const method = req.headers.get(SENT_METHOD) ?? req.method;
      throw new ApiError("method_not_allowed", `${method} is not allowed on ${req.nextUrl.pathname}; use ${allow}.`, undefined, { Allow: allow });
    });
  return { GET: notAllowed, POST: notAllowed, PUT: notAllowed, PATCH: notAllowed, DELETE: notAllowed, OPTIONS: notAllowed };
}

/** JSON 404 for any method on a path nothing serves. */
export function notFound(req: NextRequest): Promise<Response> {
  return answer(req, async () => {
    throw new ApiError("not_found", `No API endpoint ${req.headers.get(SENT_METHOD) ?? req.method} ${req.nextUrl.pathname}.`);
  });
}
