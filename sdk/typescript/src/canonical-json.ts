import { createHash } from "node:crypto";

/**
 * RFC 8785 (JCS) canonical JSON, hand-written to keep the SDK free of dependencies
 * beyond jose and zod: ECMAScript's JSON.stringify already serialises numbers and
 * strings as JCS requires, so only the key order (UTF-16 code units) is added here.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("JCS cannot encode NaN or Infinity");
    return JSON.stringify(value) ?? "null";
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return canonicalJson((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined && typeof item !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/** The `tool_args_hash` claim: lowercase hex SHA-256 of the JCS form of the arguments. */
export const toolArgsHash = (args: unknown): string => createHash("sha256").update(canonicalJson(args)).digest("hex");
