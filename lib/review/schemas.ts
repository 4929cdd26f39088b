import { z } from "zod";

export const reviewDecisionBodySchema = z.object({
  approved: z.boolean(),
  review_reason: z.string().max(2000).nullish(),
});
