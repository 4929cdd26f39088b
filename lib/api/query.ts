import type { NextRequest } from "next/server";
import type { z } from "zod";
import { unstorableText } from "./body";
import { ApiError, validationError } from "./errors";

/** Validates the query string; a bad parameter is a 400 naming it. */
export function parseQuery<S extends z.ZodType>(req: NextRequest, schema: S): z.output<S> {
  for (const [name, value] of req.nextUrl.searchParams) {
    if (unstorableText(name) || unstorableText(value)) {
      throw new ApiError("invalid_request", `Invalid query: ${name.slice(0, 100)}: contains U+0000 or a lone surrogate`);
    }
  }
  const parsed = schema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) {
    const { details, message } = validationError(parsed.error, "query");
    throw new ApiError("invalid_request", message, details);
  }
  return parsed.data;
}
