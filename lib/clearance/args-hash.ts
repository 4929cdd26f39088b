import { createHash } from "node:crypto";
import { jcs } from "@/lib/canonical-json";

/** Lowercase hex SHA-256 of the JCS form of the tool arguments (the `tool_args_hash` claim). */
export const toolArgsHash = (args: unknown) => createHash("sha256").update(jcs(args)).digest("hex");

type Arguments = { toolArgs: unknown; toolArgsHash: string; approvedArgs: unknown; approvedArgsHash: string | null };

/** The arguments an approval covers: a reviewer's edit when there was one, else those asked for. */
export const approvedArgsOf = (row: Arguments) => (row.approvedArgsHash === null ? row.toolArgs : row.approvedArgs);
export const approvedArgsHashOf = (row: Arguments) => row.approvedArgsHash ?? row.toolArgsHash;
