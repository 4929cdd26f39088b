import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Permission } from "./access";
import { authorize, type Member } from "./session";

/**
 * The one way a dashboard server action is written: the member's permission is checked first,
 * the arguments against `args` (anyone can post anything to an action, not only our forms),
 * then `work` runs for them. A refusal (an ApiError, from the check or the work, or arguments
 * of the wrong shape) comes back as `refused(message)`, the action's own answer for its form.
 * Thrown, Next.js would answer it with a 500 whose message it withholds (issue 19, finding 11:
 * 22 refusals were 500s, and arguments of another shape crashed ten actions).
 */
export function memberAction<S extends z.ZodTuple, R>(
  permission: Permission,
  refused: (message: string) => R,
  args: S,
  work: (member: Member, ...args: z.output<S>) => Promise<R>,
): (...args: z.input<S>) => Promise<R> {
  return async (...input) => {
    try {
      const member = await authorize(permission);
      const parsed = args.safeParse(input);
      if (!parsed.success) return refused("This action was called with arguments it does not take.");
      return await work(member, ...parsed.data);
    } catch (error) {
      if (error instanceof ApiError) return refused(error.message);
      throw error;
    }
  };
}

/** The refusal of actions that answer `{ ok, error }`. */
export const refusal = (error: string) => ({ ok: false as const, error });

/** The arguments of an action bound to a form with useActionState: the previous state, then the form. */
export const formArgs = z.tuple([z.unknown(), z.instanceof(FormData)]);

/** The argument of an action a plain form posts. */
export const plainFormArgs = z.tuple([z.instanceof(FormData)]);

/** An object's id, as a list's buttons send it. */
export const idArgs = z.tuple([z.string().max(200)]);
