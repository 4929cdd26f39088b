export const REVIEW_CHANNELS = ["dashboard", "email", "slack", "cli", "api"] as const;
export type ReviewChannel = (typeof REVIEW_CHANNELS)[number];

/** The decidedBy of a review settled by votes: who decided (all approvers of a quorum) and through which channel. */
export const decidedByReviewers = (emails: string[], channel: ReviewChannel) => `reviewer:${emails.join(",")} via ${channel}`;

export const EXPIRY_DECIDER = "system:expiry";

const CHANNEL_NAMES: Record<string, string> = { dashboard: "the dashboard", email: "an email link", slack: "Slack", cli: "the CLI", api: "the API" };

/** A stored decidedBy as "who" and "through what", for the timeline; null for the policy's own decisions. */
export function describeDecidedBy(decidedBy: string | null): { who: string; through: string } | null {
  if (!decidedBy || decidedBy === "policy") return null;
  if (decidedBy === "agent") return { who: "the agent", through: "the API" };
  if (decidedBy === EXPIRY_DECIDER) return { who: "nobody (the review expired)", through: "its deadline" };
  if (decidedBy.startsWith("operator:")) return { who: decidedBy.slice("operator:".length), through: "the CLI" };
  const vote = /^reviewer:(.+) via (\w+)$/.exec(decidedBy);
  if (vote) return { who: vote[1]!.split(",").join(", "), through: CHANNEL_NAMES[vote[2]!] ?? vote[2]! };
  // Decisions stored before channels were recorded came from the dashboard.
  return { who: decidedBy.replace(/^reviewer:/, ""), through: "the dashboard" };
}

export const channelName = (channel: string) => CHANNEL_NAMES[channel] ?? channel;
