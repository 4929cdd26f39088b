import { randomUUID } from "node:crypto";
import type { LedgixConfig } from "./config";
import { QueueSaturatedError, VaultConnectionError } from "./errors";
import { traceHeaders, type TraceContext } from "./trace-context";

const RETRYABLE = new Set([500, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;
// The 11th consecutive 429 fails the call (wire protocol §1.6).
const MAX_CONSECUTIVE_429 = 10;

export interface VaultResponse {
  /** The URL the answer came from, and the configured base URL it was built on. */
  url: string;
  baseUrl: string;
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface VaultRequest {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  /** One key for every attempt of this call, so the vault replays instead of deciding twice. */
  idempotent?: boolean;
  query?: Record<string, string | number | undefined>;
  /** The caller's trace context, when it is not the active OpenTelemetry span's (a gateway's caller). */
  traceContext?: TraceContext;
}

/** Waits `ms`; an abort ends the wait early by rejecting with the signal's reason. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => (signal?.removeEventListener("abort", stop), resolve()), ms);
    const stop = () => (clearTimeout(timer), reject(signal!.reason));
    signal?.addEventListener("abort", stop, { once: true });
  });

/** Uniform in [0, min(30 s, base · 2^attempt)]. */
export const backoffMs = (base: number, attempt: number) => Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** attempt);

/** `Retry-After` as decimal seconds → ms, capped at 60 s; null when absent or not a number. */
export function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return null;
  return Math.min(Number(header) * 1000, MAX_RETRY_AFTER_MS);
}

function urlOf(config: LedgixConfig, request: VaultRequest): URL {
  const url = new URL(config.vaultUrl.replace(/\/+$/, "") + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url;
}

async function attempt(config: LedgixConfig, url: URL, request: VaultRequest, idempotencyKey: string | null): Promise<VaultResponse> {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...(await traceHeaders(request.traceContext)) };
  if (config.vaultApiKey) headers["X-Vault-API-Key"] = config.vaultApiKey;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const res = await fetch(url, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    redirect: "error",
    signal: AbortSignal.timeout(config.vaultTimeout),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { url: url.href, baseUrl: config.vaultUrl.replace(/\/+$/, ""), status: res.status, headers: res.headers, body, text };
}

const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/** Why fetch got no answer, in a few words: undici hides the system error in `cause`. */
function unreachableBecause(error: unknown, config: LedgixConfig): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return `no answer within ${config.vaultTimeout} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return NETWORK_FAILURES[cause?.code ?? ""] ?? cause?.code ?? cause?.message ?? (error as Error).message;
}

/**
 * One logical call: transport failures and 500/502/503/504 are retried `maxRetries`
 * times with jittered backoff; 429 waits `Retry-After` without spending that budget.
 * Returns the last response, whatever its status; throws only when no response came.
 */
export async function callVault(config: LedgixConfig, request: VaultRequest): Promise<VaultResponse> {
  const url = urlOf(config, request);
  const idempotencyKey = request.idempotent ? randomUUID() : null;
  let retries = 0;
  let consecutive429 = 0;
  for (;;) {
    let response: VaultResponse;
    try {
      response = await attempt(config, url, request, idempotencyKey);
    } catch (error) {
      if (retries >= config.maxRetries) {
        throw new VaultConnectionError(`could not reach the Ledgix vault at ${url.href} (${unreachableBecause(error, config)}); set LEDGIX_VAULT_URL`, {
          cause: error,
        });
      }
      await sleep(backoffMs(config.retryBaseDelay, retries++));
      continue;
    }
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers.get("retry-after"));
      if (consecutive429 >= MAX_CONSECUTIVE_429) throw new QueueSaturatedError(consecutive429, wait === null ? null : wait / 1000);
      consecutive429++;
      await sleep(wait ?? backoffMs(config.retryBaseDelay, retries));
      continue;
    }
    consecutive429 = 0;
    if (RETRYABLE.has(response.status) && retries < config.maxRetries) {
      await sleep(backoffMs(config.retryBaseDelay, retries++));
      continue;
    }
    return response;
  }
}

/** The `{ error: { code, message } }` of a Ledgix error answer, else the raw text. */
export function describeFailure(response: VaultResponse): { code: string | null; message: string } {
  const error = (response.body as { error?: { code?: string; message?: string } } | null)?.error;
  return { code: error?.code ?? null, message: `HTTP ${response.status}: ${error?.message ?? response.text.slice(0, 500)}` };
}

/**
 * The base URL the caller probably meant, when a 404 that is not a Ledgix error came from a
 * base URL without `/api`: the vault serves its API under /api (`http://host:3000/api`).
 */
export function apiBaseHint(response: VaultResponse, code: string | null): string | null {
  if (response.status !== 404 || code !== null || new URL(response.baseUrl).pathname.endsWith("/api")) return null;
  return `${response.baseUrl}/api`;
}

/** Throws VaultConnectionError, naming the URL it asked, unless the answer is 2xx. */
export function expectOk(response: VaultResponse, what: string, requestId?: string | null): unknown {
  if (response.status >= 200 && response.status < 300) return response.body;
  const { code, message } = describeFailure(response);
  const hint = apiBaseHint(response, code);
  const at = hint ? `${response.url} (did you mean LEDGIX_VAULT_URL=${hint}?)` : response.url;
  throw new VaultConnectionError(`${what} failed at ${at}: ${message}`, { status: response.status, code, requestId });
}
