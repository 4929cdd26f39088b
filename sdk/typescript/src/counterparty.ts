/** Counterparty attribution sent with a clearance request (wire protocol §3.1.1). */
export interface CounterpartyHints {
  destinationUri?: string;
  destinationProvider?: string;
  destinationAccountRef?: string;
}

const str = (args: Record<string, unknown>, key: string) => (typeof args[key] === "string" ? (args[key] as string) : undefined);

const PROVIDERS: { match: (tool: string) => boolean; uri: string; provider: string; account: (args: Record<string, unknown>) => string | undefined }[] = [
  {
    match: (t) => t.includes("stripe"),
    uri: "https://api.stripe.com",
    provider: "stripe",
    account: (a) => str(a, "account") ?? (str(a, "api_key")?.startsWith("sk_") ? str(a, "api_key")!.slice(0, 12) : undefined),
  },
  { match: (t) => t.includes("twilio"), uri: "https://api.twilio.com", provider: "twilio", account: (a) => str(a, "account_sid") },
  { match: (t) => t.includes("slack"), uri: "https://slack.com/api", provider: "slack", account: (a) => str(a, "team_id") ?? str(a, "workspace") },
  {
    match: (t) => t.includes("bedrock"),
    uri: "https://bedrock-runtime.amazonaws.com",
    provider: "aws-bedrock",
    account: (a) => str(a, "model_id") ?? str(a, "model"),
  },
  {
    match: (t) => t.includes("openai") || t.includes("gpt"),
    uri: "https://api.openai.com",
    provider: "openai",
    account: (a) => str(a, "organization") ?? str(a, "org_id"),
  },
  { match: (t) => t.includes("anthropic") || t.includes("claude"), uri: "https://api.anthropic.com", provider: "anthropic", account: (a) => str(a, "organization") },
];

function fromUrlArgument(args: Record<string, unknown>): CounterpartyHints {
  for (const key of ["url", "endpoint", "uri", "host"]) {
    const value = str(args, key);
    if (!value) continue;
    try {
      const host = new URL(value).hostname.toLowerCase();
      if (host) return { destinationUri: value, destinationProvider: host.replace(/^(www\.|api\.|api-)/, "") };
    } catch {
      // not a URL: try the next key
    }
  }
  return {};
}

/** Derived hints; a value the caller gave always wins, field by field. */
export function counterpartyHints(toolName: string, toolArgs: Record<string, unknown>, given: CounterpartyHints = {}): CounterpartyHints {
  const tool = toolName.toLowerCase();
  const known = PROVIDERS.find((p) => p.match(tool));
  const derived: CounterpartyHints = known
    ? { destinationUri: known.uri, destinationProvider: known.provider, destinationAccountRef: known.account(toolArgs) }
    : fromUrlArgument(toolArgs);
  return {
    destinationUri: given.destinationUri ?? derived.destinationUri,
    destinationProvider: given.destinationProvider ?? derived.destinationProvider,
    destinationAccountRef: given.destinationAccountRef ?? derived.destinationAccountRef,
  };
}
