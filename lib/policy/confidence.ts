import { z } from "zod";

/** Confidence buckets, lowest first. */
export const CONFIDENCE_BUCKETS = ["none", "low", "medium", "high", "extra_high"] as const;
export const confidenceBucketSchema = z.enum(CONFIDENCE_BUCKETS);
export type ConfidenceBucket = z.infer<typeof confidenceBucketSchema>;

export const meetsMinimum = (bucket: ConfidenceBucket, minimum: ConfidenceBucket) =>
  CONFIDENCE_BUCKETS.indexOf(bucket) >= CONFIDENCE_BUCKETS.indexOf(minimum);
