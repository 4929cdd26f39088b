/** Longest summary a push carries: a lock screen shows about two lines. */
const MAX_SUMMARY = 140;
const MAX_VALUE = 40;
/** Fields shown besides the amount. */
const MAX_FIELDS = 3;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function shortValue(value: unknown): string {
  if (typeof value === "string") return clip(value, MAX_VALUE);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  return "{…}";
}

/**
 * One short line of a tool call's arguments, for a notification: the amount with its currency
 * first, then the first few other fields by name, values cut short, and how many were left out. It
 * says what the call is about; the review page shows the whole call.
 */
export function argsSummary(args: unknown): string {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return clip(shortValue(args), MAX_SUMMARY);
  const record = args as Record<string, unknown>;
  const parts: string[] = [];
  const money = typeof record.amount === "number" || typeof record.amount === "string";
  if (money) parts.push(`${shortValue(record.amount)}${typeof record.currency === "string" ? ` ${clip(record.currency, 8)}` : ""}`);
  // Stored arguments are jsonb, whose key order is not the agent's (shorter keys first): name order reads better.
  const rest = Object.entries(record).filter(([name]) => !(money && (name === "amount" || name === "currency"))).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, value] of rest.slice(0, MAX_FIELDS)) parts.push(`${name}: ${shortValue(value)}`);
  if (rest.length > MAX_FIELDS) parts.push(`+${rest.length - MAX_FIELDS} more`);
  return clip(parts.join(" · ") || "no arguments", MAX_SUMMARY);
}
