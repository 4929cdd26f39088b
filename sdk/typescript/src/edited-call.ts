import { canonicalJson } from "./canonical-json";
import { EditedArgsError } from "./errors";
import type { ClearanceResponse } from "./schemas";

// A reviewer may edit a pending call's arguments before approving it (wire protocol §5.2): the
// status answer then carries `args_edited: true` and the approved `tool_args`, and the token
// binds those. A client runs the approved call or nothing.

/** Top-level keys whose values differ between the call as asked and as approved (added, removed or changed), sorted. */
export function changedFields(asked: Record<string, unknown>, approved: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(asked), ...Object.keys(approved)]);
  const same = (key: string) =>
    Object.hasOwn(asked, key) === Object.hasOwn(approved, key) && canonicalJson(asked[key] ?? null) === canonicalJson(approved[key] ?? null);
  return [...keys].filter((key) => !same(key)).sort();
}

/** The arguments to run with: the approved ones when a reviewer edited the call, else the ones asked with. */
export function approvedArgsOf(clearance: ClearanceResponse, asked: Record<string, unknown>): Record<string, unknown> {
  if (!clearance.argsEdited) return asked;
  if (clearance.toolArgs === null) {
    throw new EditedArgsError(`The vault says a reviewer edited request ${clearance.requestId} but not what was approved; not running it`, {
      requestId: clearance.requestId,
    });
  }
  return clearance.toolArgs;
}

/** The warning a client gives when it runs an edited call; names fields, never their values. */
export function editWarning(toolName: string, clearance: ClearanceResponse, asked: Record<string, unknown>): string {
  const changed = changedFields(asked, clearance.toolArgs ?? {});
  return (
    `Ledgix: a reviewer edited the arguments of ${toolName} (request ${clearance.requestId}) before approving it; ` +
    `it runs with the approved arguments (changed: ${changed.join(", ") || "none"})`
  );
}
