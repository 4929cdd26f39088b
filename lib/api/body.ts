import type { z } from "zod";
import { env } from "@/lib/env";
import { ApiError, validationError } from "./errors";

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
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
