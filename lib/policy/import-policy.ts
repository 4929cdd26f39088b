import http from "node:http";
import https from "node:https";
import ipaddr from "ipaddr.js";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";
import { guardedLookup, REFUSED_ADDRESS, refusedAddress } from "@/lib/security/outbound-url";

export { refusedAddress } from "@/lib/security/outbound-url";

const MAX_REDIRECTS = 3;
const MAX_BYTES = 1_000_000;
const TIMEOUT_MS = 10_000;

function checkUrl(url: URL, hosts: string[], allowLoopback: boolean) {
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ApiError("import_refused", `Only http and https URLs can be imported, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (!hosts.includes(host)) throw new ApiError("import_refused", `Host ${host} is not in LEDGIX_POLICY_IMPORT_HOSTS.`);
  if (ipaddr.isValid(host)) {
    const refused = refusedAddress(host, allowLoopback);
    if (refused) throw new ApiError("import_refused", `Refused: ${refused}.`);
  }
}

function get(url: URL, allowLoopback: boolean): Promise<{ status: number; location?: string; body: string }> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup: guardedLookup(allowLoopback), timeout: TIMEOUT_MS, headers: { accept: "application/yaml, application/json, text/plain" } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) req.destroy(new ApiError("import_failed", `The policy at ${url} exceeds ${MAX_BYTES} bytes.`));
        else chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("timeout", () => req.destroy(new ApiError("import_failed", `Fetching ${url} timed out.`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof ApiError) return reject(error);
      if (error.code === REFUSED_ADDRESS) return reject(new ApiError("import_refused", `Refused: ${error.message}.`));
      reject(new ApiError("import_failed", `Fetching ${url} failed: ${error.message}`));
    });
  });
}

/**
 * Fetches a policy document from a URL on an operator-allowlisted host. Private,
 * loopback and link-local addresses are refused, before connecting and at connect
 * time, and every redirect is checked the same way.
 */
export async function fetchPolicySource(rawUrl: string): Promise<string> {
  const { LEDGIX_POLICY_IMPORT_HOSTS: hosts, LEDGIX_POLICY_IMPORT_ALLOW_LOOPBACK: allowLoopback } = env();
  if (hosts.length === 0) throw new ApiError("import_refused", "Policy import is off: set LEDGIX_POLICY_IMPORT_HOSTS to the hosts it may use.");
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ApiError("invalid_request", "url is not a valid URL.");
  }
  for (let hop = 0; ; hop++) {
    checkUrl(url, hosts, allowLoopback);
    const response = await get(url, allowLoopback);
    if (response.status >= 300 && response.status < 400 && response.location) {
      if (hop >= MAX_REDIRECTS) throw new ApiError("import_failed", `More than ${MAX_REDIRECTS} redirects.`);
      url = new URL(response.location, url);
      continue;
    }
    if (response.status !== 200) throw new ApiError("import_failed", `${url} answered ${response.status}.`);
    return response.body;
  }
}
