import type { z } from "zod";
import { env } from "@/lib/env";
import { duplicateKey } from "@/sdk/typescript/src/duplicate-key";
import { ApiError, validationError } from "./errors";

/** A body must be declared as JSON (a form or text/plain post is a cross-site request a browser sends unasked). */
export function requireJsonContentType(req: Request): void {
  const hasBody = Number(req.headers.get("content-length") ?? 0) > 0 || req.headers.has("transfer-encoding");
  const mediaType = req.headers.get("content-type")?.split(";")[0]!.trim().toLowerCase();
  if (hasBody && mediaType !== "application/json") {
    throw new ApiError("unsupported_media_type", "Send the request body with Content-Type: application/json.");
  }
}

/** Reads the request body as text, refusing more than LEDGIX_MAX_BODY_BYTES. */
export async function readBodyText(req: Request): Promise<string> {
  const limit = env().LEDGIX_MAX_BODY_BYTES;
  const tooLarge = () => new ApiError("payload_too_large", `Request body exceeds ${limit} bytes.`);
  if (Number(req.headers.get("content-length") ?? 0) > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError("malformed_json", "Request body is not valid UTF-8.");
  }
}

// Below the top-level object; tool_args may thus nest 32 levels.
const MAX_DEPTH = 33;

/** Text PostgreSQL cannot store (U+0000) or UTF-8 cannot encode (lone surrogates, from `\ud800` escapes). */
export const unstorableText = (text: string) => text.includes("\u0000") || !text.isWellFormed();

/**
 * Values PostgreSQL cannot store or JSON cannot hash (numbers beyond binary64, such as
 * `1e309`, parse as Infinity), and nesting deep enough to make evaluation costly.
 * Returns the path of the first offending value.
 */
function unstorable(value: unknown, path: string[] = []): { path: string; message: string } | null {
  if (path.length > MAX_DEPTH) return { path: path.join("."), message: `nested deeper than ${MAX_DEPTH} levels` };
  const where = () => path.join(".") || "(root)";
  if (typeof value === "string") return unstorableText(value) ? { path: where(), message: "contains U+0000 or a lone surrogate" } : null;
  if (typeof value === "number") return Number.isFinite(value) ? null : { path: where(), message: "is not a finite number" };
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    if (unstorableText(key)) return { path: [...path, key].join("."), message: "key contains U+0000 or a lone surrogate" };
    const found = unstorable(item, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Parses JSON text and validates it. An empty body counts as `{}`. */
export function parseBody<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ApiError("malformed_json", `Request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  // Depth first: the duplicate-key scan recurses, and must not on a body nested 50,000 deep.
  const bad = unstorable(value);
  if (bad) throw new ApiError("validation_failed", `Invalid request body: ${bad.path}: ${bad.message}`, [bad]);
  const duplicate = text.trim() === "" ? null : duplicateKey(text);
  if (duplicate !== null) {
    throw new ApiError("duplicate_json_key", `Request body gives the member "${duplicate.slice(0, 100)}" more than once.`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
