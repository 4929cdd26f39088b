import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** RFC 8785 (JCS) canonical JSON. */
export const jcs = (value: unknown): string => canonicalize(value) ?? "null";

/** Lowercase hex SHA-256 of the JCS form of the tool arguments (the `tool_args_hash` claim). */
export const toolArgsHash = (args: unknown) => createHash("sha256").update(jcs(args)).digest("hex");
