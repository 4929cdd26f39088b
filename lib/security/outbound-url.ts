import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";

/**
 * Why an address may not be reached, or null. Only public unicast passes; loopback too when
 * `allowLoopback`, and everything when the operator set LEDGIX_ALLOW_PRIVATE_URLS (`allowPrivate`).
 */
export function refusedAddress(address: string, allowLoopback: boolean, allowPrivate = false): string | null {
  if (allowPrivate) return null;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === "unicast") return null;
  if (range === "loopback" && allowLoopback) return null;
  return `${address} is a ${range} address`;
}

/** The error code a refused connection fails with. */
export const REFUSED_ADDRESS = "EREFUSED_ADDRESS";

// Checked when the socket connects, on the address it actually connects to: a host that
// resolves to a public address for the check and a private one for the fetch gets nowhere.
export const guardedLookup = (allowLoopback: boolean, allowPrivate = false): LookupFunction => (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses as dns.LookupAddress[];
    const refused = list.map((a) => refusedAddress(a.address, allowLoopback, allowPrivate)).find(Boolean);
    if (refused) return callback(Object.assign(new Error(refused), { code: REFUSED_ADDRESS }), "", 0);
    if (options.all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/** Why a customer-given URL (webhook, Slack) may not be used, or null: http(s) only, and no literal private address. */
export function refusedOutboundUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `only http and https URLs are allowed, not ${url.protocol}`;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return refusedAddress(host, false, env().LEDGIX_ALLOW_PRIVATE_URLS);
  if (host === "localhost" && !env().LEDGIX_ALLOW_PRIVATE_URLS) return "localhost is a loopback address";
  return null;
}

/** Checks a customer-given URL (webhook, Slack, a tenant's judge) against the rules above; throws `url_refused`. */
export function assertOutboundUrl(url: string) {
  const refused = refusedOutboundUrl(url);
  if (refused) throw new ApiError("url_refused", `That URL cannot be used: ${refused}. (An operator may allow private addresses with LEDGIX_ALLOW_PRIVATE_URLS=1.)`);
}

export interface OutboundResponse {
  status: number;
  body: string;
}

const TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 4096;

/**
 * POSTs to a customer-given URL (webhooks, Slack, a browser's push endpoint) through the SSRF
 * guard: the address is checked when the socket connects, redirects are not followed, the
 * answer is cut short.
 * Node's fetch cannot take a lookup function, hence the http module.
 */
export function postOutbound(raw: string, body: string | Buffer, headers: Record<string, string>): Promise<OutboundResponse> {
  const refused = refusedOutboundUrl(raw);
  if (refused) return Promise.reject(Object.assign(new Error(`Refused: ${refused}`), { code: REFUSED_ADDRESS }));
  const url = new URL(raw);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: "POST",
      lookup: guardedLookup(false, env().LEDGIX_ALLOW_PRIVATE_URLS),
      timeout: TIMEOUT_MS,
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Ledgix", ...headers },
    }, (res) => {
      let answer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => { if (answer.length < MAX_ANSWER_BYTES) answer += chunk; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: answer.slice(0, MAX_ANSWER_BYTES) }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(body);
  });
}

const MAX_FETCHED_BYTES = 1_000_000;

/**
 * A `fetch` for clients that take one (the `openai` client, for a tenant's judge) that goes
 * through the same guard as `postOutbound`: the URL's rules first, then the address checked
 * when the socket connects, no redirects followed (a 3xx is the answer), the answer capped.
 * Takes a string body only, which is all such clients send; the caller's signal aborts it.
 */
export const guardedFetch: typeof fetch = (input, init) => {
  const raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const refused = refusedOutboundUrl(raw);
  if (refused) return Promise.reject(Object.assign(new Error(`Refused: ${refused}`), { code: REFUSED_ADDRESS }));
  if (init?.body != null && typeof init.body !== "string") return Promise.reject(new TypeError("guardedFetch sends string bodies only"));
  const url = new URL(raw);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: init?.method ?? "GET",
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      lookup: guardedLookup(false, env().LEDGIX_ALLOW_PRIVATE_URLS),
      signal: init?.signal ?? undefined,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_FETCHED_BYTES) req.destroy(new Error(`the answer exceeds ${MAX_FETCHED_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) headers.append(name, v);
        const status = res.statusCode ?? 0;
        const empty = status === 204 || status === 205 || status === 304;
        try {
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers }));
        } catch (error) {
          reject(error as Error); // a status outside 200–599
        }
      });
    });
    req.on("error", reject);
    req.end(init?.body ?? undefined);
  });
};
