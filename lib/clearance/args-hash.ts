import { createHash } from "node:crypto";
import { jcs } from "@/lib/canonical-json";

/** Lowercase hex SHA-256 of the JCS form of the tool arguments (the `tool_args_hash` claim). */
export const toolArgsHash = (args: unknown) => createHash("sha256").update(jcs(args)).digest("hex");

type Arguments<T> = { toolArgs: T; approvedArgs: T | null; approvedArgsHash: string | null };

/** The arguments an approval covers: a reviewer's edit when there was one, else those asked for. */
export const approvedArgsOf = <T>(row: Arguments<T>): T => (row.approvedArgsHash === null ? row.toolArgs : (row.approvedArgs as T));
export const approvedArgsHashOf = (row: Arguments<unknown> & { toolArgsHash: string }) => row.approvedArgsHash ?? row.toolArgsHash;
