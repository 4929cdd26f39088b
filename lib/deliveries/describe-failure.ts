import { REFUSED_ADDRESS } from "@/lib/security/outbound-url";

// What the delivery log and a channel test say when a message did not go out: a sentence a
// person can act on, not Node's error text ("connect ECONNREFUSED 127.0.0.1:9").

/** Node's network error codes, as what happened and what to do about it. */
const NETWORK: Record<string, (service: string, host: string) => string> = {
  ECONNREFUSED: (service, host) => `Nothing at ${host} accepted the connection, so ${service} got nothing. Check the URL, and that the service is running.`,
  ENOTFOUND: (service, host) => `The host name ${host} was not found, so ${service} got nothing. Check the URL for a typo.`,
  EAI_AGAIN: (service, host) => `The host name ${host} could not be looked up just now (DNS). It is tried again.`,
  ECONNRESET: (service) => `${capital(service)} closed the connection before answering. It is tried again.`,
  EHOSTUNREACH: (service, host) => `No route to ${host}, so ${service} got nothing. Check the URL and this server's network.`,
  ETIMEDOUT: (service) => `${capital(service)} did not answer in time. It is tried again.`,
};

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).host : "that address";
  } catch {
    return "that address";
  }
}

/**
 * Why a POST to `service` (e.g. "Slack", "the webhook endpoint") failed before any answer,
 * as a sentence. `url` names the host; the URL itself may hold a secret and is not repeated.
 */
export function describeUnreachable(service: string, error: unknown, url?: string): string {
  const host = hostOf(url);
  const { code, message = "" } = (error ?? {}) as { code?: string; message?: string };
  if (code === REFUSED_ADDRESS) {
    return `Ledgix did not connect to ${host}: ${message.replace(/^Refused: /, "")}. An operator may allow private addresses with LEDGIX_ALLOW_PRIVATE_URLS=1.`;
  }
  if (code && NETWORK[code]) return NETWORK[code](service, host);
  if (/^no answer within/.test(message)) return `${capital(service)} did not answer ${message.replace(/^no answer /, "")}. It is tried again.`;
  if (code?.startsWith("CERT_") || code?.includes("CERT") || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
    return `The TLS certificate of ${host} was not accepted (${code}). Check that the URL names the service's own host.`;
  }
  return sentence(`Could not reach ${service} at ${host}: ${message || "the connection failed"}`);
}

/** What an HTTP answer outside 2xx means, by status, for a person reading the log. */
function statusHint(status: number): string {
  if (status === 404 || status === 410) return "The URL is gone: the webhook may have been removed. Save a new one.";
  if (status === 401 || status === 403) return "The URL's credentials were refused: the webhook may have been revoked. Save a new one.";
  if (status === 429) return "It is rate limited; it is tried again later.";
  if (status >= 500) return "The service failed on its side; it is tried again.";
  if (status >= 300 && status < 400) return "It answered with a redirect, which Ledgix does not follow. Save the final URL.";
  return "Check the URL and what the service expects.";
}

/** An answer of `status` (not 2xx) from `service`, with the start of its body. */
export function describeRefusedAnswer(service: string, status: number, body: string): string {
  const said = body.trim().replace(/\s+/g, " ").slice(0, 200);
  return `${capital(service)} answered HTTP ${status}${said ? ` ("${said}")` : ""}. ${statusHint(status)}`;
}

/** Why an email was not sent (sendEmail threw), as a sentence. */
export function describeEmailFailure(error: unknown): string {
  const message = (error as { message?: string } | null)?.message ?? "";
  return sentence(message.startsWith("Resend") ? message : `The email could not be sent: ${message || "unknown error"}`);
}
