import { ApiError } from "@/lib/api/errors";
import type { Permission } from "./access";
import { authorize, type Member } from "./session";

/**
 * The one way a dashboard server action is written: the member's permission is checked first,
 * then `work` runs for them, and a refusal (an ApiError, from the check or the work) comes back
 * as `refused(message)`, the action's own answer for its form. Thrown, Next.js would answer it
 * with a 500 whose message it withholds (issue 19, finding 11: 22 refusals were 500s).
 */
export function memberAction<A extends unknown[], R>(
  permission: Permission,
  refused: (message: string) => R,
  work: (member: Member, ...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await work(await authorize(permission), ...args);
    } catch (error) {
      if (error instanceof ApiError) return refused(error.message);
      throw error;
    }
  };
}

/** The refusal of actions that answer `{ ok, error }`. */
export const refusal = (error: string) => ({ ok: false as const, error });
