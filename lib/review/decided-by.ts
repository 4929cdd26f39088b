export const REVIEW_CHANNELS = ["dashboard", "email", "push", "slack", "cli", "api"] as const;
export type ReviewChannel = (typeof REVIEW_CHANNELS)[number];

/** The decidedBy of a review settled by votes: who decided (all approvers of a quorum) and through which channel. */
export const decidedByReviewers = (emails: string[], channel: ReviewChannel) => `reviewer:${emails.join(",")} via ${channel}`;

export const EXPIRY_DECIDER = "system:expiry";

const CHANNEL_NAMES: Record<string, string> = { dashboard: "the dashboard", email: "an email link", push: "a push notification's link", slack: "Slack", cli: "the CLI", api: "the API" };

/** An operator's decision from the CLI without `--as`: one person, outside the review rules. */
export const breakGlassDecider = (operator: string) => `operator:${operator}`;
const operatorOf = (decidedBy: string) => (decidedBy.startsWith("operator:") ? decidedBy.slice("operator:".length) : null);

/** The reason stored with a break-glass decision given without one: it says who overrode the review rules. */
export function breakGlassReason(decidedBy: string, approve: boolean): string | null {
  const operator = operatorOf(decidedBy);
  return operator === null ? null : `${approve ? "Approved" : "Denied"} by operator ${operator} alone (break-glass), outside the review rules.`;
}

export interface Decider {
  who: string;
  through: string;
  /** An operator decided alone from the CLI, bypassing quorum, four eyes and reviewer groups. */
  breakGlass?: true;
}

/** A stored decidedBy as "who" and "through what", for the timeline; null for the policy's own decisions. */
export function describeDecidedBy(decidedBy: string | null): Decider | null {
  if (!decidedBy || decidedBy === "policy") return null;
  if (decidedBy === "agent") return { who: "the agent", through: "the API" };
  if (decidedBy === EXPIRY_DECIDER) return { who: "nobody (the review expired)", through: "its deadline" };
  const operator = operatorOf(decidedBy);
  if (operator !== null) return { who: `operator ${operator}`, through: "the CLI, alone (break-glass: no quorum, four-eyes or reviewer-group rule applied)", breakGlass: true };
  const vote = /^reviewer:(.+) via (\w+)$/.exec(decidedBy);
  if (vote) return { who: vote[1]!.split(",").join(", "), through: CHANNEL_NAMES[vote[2]!] ?? vote[2]! };
  // Decisions stored before channels were recorded came from the dashboard.
  return { who: decidedBy.replace(/^reviewer:/, ""), through: "the dashboard" };
}

export const channelName = (channel: string) => CHANNEL_NAMES[channel] ?? channel;
