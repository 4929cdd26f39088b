import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { resolveConfig } from "../config";
import { duplicateKey } from "../duplicate-key";
import { TokenVerificationError } from "../errors";
import { isTokenRejection } from "../token-rejection";
import { checkToolArgs, JwksCache, verifyClearanceToken, type ClearanceClaims } from "../verify-token";
import { vaultApiKeyOf, type GatewayConfig, type HttpRoute } from "./config";
import { VaultTokens } from "./vault-tokens";
import { traceContextOf } from "../trace-context";

/** Time one request spent in the gateway itself, and waiting for the vault's consume call. */
export interface GatewayTiming {
  /** Receipt to upstream dispatch plus upstream answer to last byte sent, consume excluded. */
  addedMs: number;
  consumeMs: number;
}

export interface HttpGatewayOptions {
  /** Called once a forwarded request is wholly done: answered, and its execution reported to the vault. */
  onTiming?: (timing: GatewayTiming) => void;
}

export interface RunningHttpGateway {
  url: string;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 502 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host"]);

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Refusal(413, "payload_too_large", `Body exceeds ${limit} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function bearerToken(req: IncomingMessage, header: string): string {
  const value = req.headers[header];
  const raw = Array.isArray(value) ? value[0] : value;
  const token = header === "authorization" ? raw?.match(/^Bearer\s+(\S+)$/i)?.[1] : raw?.trim();
  if (!token) throw new Refusal(401, "token_missing", `No A-JWT in the ${header} header`);
  return token;
}

/**
 * The request target exactly as sent, when it is plain: a path equal to its normalised form
 * (no `..`, `//host`, or encodings the URL parser rewrites), so the route matched is the path
 * the service receives. The gateway forwards these bytes, not a re-serialisation.
 */
function plainTarget(req: IncomingMessage): { raw: string; url: URL } {
  const raw = req.url ?? "/";
  const url = new URL(raw, "http://gateway.invalid");
  if (url.pathname + url.search !== raw) throw new Refusal(400, "ambiguous_request", "The request target is not in normal form; send the path as the service should read it");
  return { raw, url };
}

/**
 * The tool arguments as the service will read them, refusing anything two parsers could read
 * differently: a repeated query parameter (first wins in some frameworks, last in others), a
 * duplicate JSON key, a body that is not declared as JSON, or arguments in both places.
 */
function toolArgsOf(route: HttpRoute, req: IncomingMessage, url: URL, body: Buffer): unknown {
  const ambiguous = (message: string) => new Refusal(400, "ambiguous_request", message);
  if (route.args === "query") {
    if (body.length) throw ambiguous("This route takes its arguments from the query string; send no body");
    const names = [...url.searchParams.keys()];
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw ambiguous(`The query parameter "${repeated}" is repeated`);
    return Object.fromEntries(url.searchParams);
  }
  if (url.search) throw ambiguous("This route takes its arguments from the JSON body; send no query string");
  if (!body.length) return {};
  const mediaType = req.headers["content-type"]?.split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") throw new Refusal(415, "unsupported_media_type", "Send the body with Content-Type: application/json");
  const text = body.toString("utf8");
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    throw new Refusal(400, "invalid_json_body", "The request body is not JSON; its hash cannot be checked against the token");
  }
  const duplicate = duplicateKey(text);
  if (duplicate !== null) throw ambiguous(`The JSON body gives the key "${duplicate}" twice`);
  return args;
}

function refusalOf(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  if (error instanceof TokenVerificationError) {
    // A token for another call is refused as forbidden; an unusable one by its reason code.
    const mismatch = ["tool_mismatch", "tool_args_mismatch", "tenant_mismatch"].includes(error.reason ?? "");
    const code = mismatch ? error.reason! : isTokenRejection(error.reason) ? error.reason : "token_invalid";
    return new Refusal(mismatch ? 403 : 401, code, error.message);
  }
  // JWKS or vault unreachable: fail closed.
  return new Refusal(503, "vault_unavailable", `The vault could not be reached: ${(error as Error).message}`);
}

function refuse(res: ServerResponse, refusal: Refusal) {
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  res.writeHead(refusal.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

/**
 * The HTTP gateway: a reverse proxy that lets a request through only with a valid A-JWT for
 * exactly this route and body, consumed once at the vault. Order matters: everything that
 * can refuse without the vault (signature, claims, tool, argument hash) runs before the
 * consume call, so a bad token never uses up a good one.
 */
export function startHttpGateway(config: GatewayConfig, options: HttpGatewayOptions = {}): Promise<RunningHttpGateway> {
  if (!config.upstream) throw new Error("The HTTP gateway needs `upstream`");
  const upstream = new URL(config.upstream);
  const client = resolveConfig({ vaultUrl: config.vault_url, vaultApiKey: vaultApiKeyOf(config), jwtIssuer: config.issuer, jwtAudience: config.audience }, {});
  const jwks = new JwksCache(client);
  const vault = new VaultTokens(client, config.gateway_id);
  const agent = new http.Agent({ keepAlive: true });
  const routes = new Map(config.routes.map((route) => [`${route.method} ${route.path}`, route]));
  // Reports in flight, so close() can let them reach the vault.
  const reports = new Set<Promise<void>>();

  async function admit(req: IncomingMessage, url: URL): Promise<{ claims: ClearanceClaims; body: Buffer; token: string }> {
    const route = routes.get(`${req.method} ${url.pathname}`);
    if (!route) throw new Refusal(404, "route_not_protected", `${req.method} ${url.pathname} is not a route of this gateway`);
    const token = bearerToken(req, config.token_header);
    // The signature is checked while the body arrives; a body that fails is still answered first.
    const verifying = verifyClearanceToken(token, jwks, { issuer: config.issuer, audience: config.audience, tool: route.tool, tenantId: config.tenant_id });
    verifying.catch(() => undefined);
    const body = await readBody(req, config.max_body_bytes);
    const toolArgs = toolArgsOf(route, req, url, body);
    const claims = await verifying;
    checkToolArgs(claims, toolArgs);
    return { claims, body, token };
  }

  function forward(req: IncomingMessage, res: ServerResponse, target: string, body: Buffer, claims: ClearanceClaims): Promise<number> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && name !== config.token_header) headers[name] = value;
    }
    headers["content-length"] = body.length;
    headers["x-ledgix-request-id"] = claims.request_id ?? "";
    headers["x-ledgix-jti"] = claims.jti;
    return new Promise((resolve) => {
      const outgoing = http.request(
        { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: target, headers, agent },
        (answer) => {
          const out: http.OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
          res.writeHead(answer.statusCode ?? 502, out);
          answer.pipe(res);
          answer.on("end", () => resolve(answer.statusCode ?? 502));
          answer.on("error", () => resolve(502));
        },
      );
      outgoing.on("error", (error) => {
        if (!res.headersSent) refuse(res, new Refusal(502, "upstream_unreachable", `The protected service did not answer: ${error.message}`));
        else res.destroy();
        resolve(502);
      });
      outgoing.end(body);
    });
  }

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    let target, admitted;
    try {
      target = plainTarget(req);
      admitted = await admit(req, target.url);
    } catch (error) {
      return refuse(res, refusalOf(error));
    }
    const consumeStarted = performance.now();
    let consumed;
    try {
      consumed = await vault.consume(admitted.token, traceContextOf(req.headers));
    } catch (error) {
      return refuse(res, refusalOf(error));
    }
    const consumeMs = performance.now() - consumeStarted;
    if (!consumed.ok) {
      const refusal = consumed.replayed
        ? new Refusal(403, "token_replayed", `Token ${admitted.claims.jti} was already used`)
        : consumed.status === 422 || consumed.status === 403
          ? new Refusal(401, "token_invalid", `The vault refused the token: ${consumed.message}`)
          : new Refusal(503, "vault_unavailable", `The vault could not consume the token: ${consumed.message}`);
      return refuse(res, refusal);
    }
    const dispatched = performance.now();
    let answered = dispatched;
    res.once("pipe", () => (answered = performance.now()));
    const status = await forward(req, res, target.raw, admitted.body, admitted.claims);
    const timing = { addedMs: dispatched - started - consumeMs + (performance.now() - answered), consumeMs };
    const report = vault.reportExecution(admitted.claims.jti, status, traceContextOf(req.headers)).finally(() => {
      reports.delete(report);
      options.onTiming?.(timing);
    });
    reports.add(report);
  });

  const { host, port } = config.listen ?? { host: "127.0.0.1", port: 0 };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${address.address}:${address.port}`,
        close: async () => {
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          });
          await Promise.all(reports);
          agent.destroy();
        },
      });
    });
  });
}
