import canonicalize from "canonicalize";

// Shared by the clearance API (tool_args_hash) and the ledger (event hashes): both must
// hash the same bytes for the same JSON.

/** RFC 8785 (JCS) canonical JSON. */
export const jcs = (value: unknown): string => canonicalize(value) ?? "null";
