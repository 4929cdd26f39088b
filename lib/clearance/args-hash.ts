import { createHash } from "node:crypto";
import { jcs } from "@/lib/canonical-json";

/** Lowercase hex SHA-256 of the JCS form of the tool arguments (the `tool_args_hash` claim). */
export const toolArgsHash = (args: unknown) => createHash("sha256").update(jcs(args)).digest("hex");
