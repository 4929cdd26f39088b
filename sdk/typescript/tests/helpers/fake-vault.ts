// A local stand-in for the vault's HTTP API, for unit tests without the real server:
// real HTTP on loopback, real Ed25519 tokens (the protocol's test key), scripted answers.
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { toolArgsHash } from "../../src/canonical-json";
import { loadVectors, privateKeyFromSeed } from "./vectors";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
export type Responder = (req: RecordedRequest) => Answer | Promise<Answer>;

export interface FakeVault {
  url: string;
  requests: RecordedRequest[];
  /** Answers for a path (exact, or a prefix ending in `*`); checked before the defaults. */
  on(path: string, responder: Responder): void;
  sign(claims: Record<string, unknown>, options?: { kid?: string; key?: KeyObject }): Promise<string>;
  /**
   * Every clearance goes to review, and the reviewer approves `approved` instead of the call as
   * asked: status answers carry `tool_args`, `args_edited: true` and a token bound to `approved`
   * (or to `tokenArgs`, to play a vault whose token disagrees).
   */
  approveEdited(approved: Record<string, unknown> | null, options?: { requestId?: string; tokenArgs?: unknown }): void;
  /** Adds a second key to the JWKS (a rotation); returns its private half. */
  rotate(kid: string): KeyObject;
  close(): Promise<void>;
}

export async function startFakeVault(): Promise<FakeVault> {
  const vectors = loadVectors();
  const keys = new Map<string, { jwk: object; key: KeyObject }>([
    [vectors.key.jwk.kid, { jwk: vectors.key.jwk, key: privateKeyFromSeed(vectors.key.seed) }],
  ]);
  const requests: RecordedRequest[] = [];
  const responders: [string, Responder][] = [];
  let jti = 0;

  const sign = (claims: Record<string, unknown>, options: { kid?: string; key?: KeyObject } = {}) => {
    const kid = options.kid ?? vectors.key.jwk.kid;
    const now = Math.floor(Date.now() / 1000);
    const defaults = { iss: "alcv-vault", sub: "clearance", aud: ["ledgix-sdk"], iat: now, exp: now + 300, jti: `jti_${++jti}_${randomUUID().slice(0, 8)}` };
    return new SignJWT({ ...defaults, ...claims }).setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" }).sign(options.key ?? keys.get(kid)!.key);
  };

  // Default: approve with a token bound to the call.
  const approve: Responder = async (req) => {
    const body = req.body as { tool_name: string; tool_args: unknown };
    const requestId = `req_${requests.length}`;
    const token = await sign({ request_id: requestId, tool: body.tool_name, tool_args_hash: toolArgsHash(body.tool_args ?? {}), tenant_id: "ten_test" });
    return { status: 200, body: { status: "approved", decision_status: "approved", token, request_id: requestId, reason: "ok", policy_version_id: "pv_1" } };
  };

  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", async () => {
      const url = new URL(req.url!, "http://x");
      const recorded = { method: req.method!, path: url.pathname + url.search, headers: req.headers, body: text ? JSON.parse(text) : null };
      requests.push(recorded);
      const match = responders.find(([p]) => (p.endsWith("*") ? recorded.path.startsWith(p.slice(0, -1)) : p === url.pathname));
      const answer: Answer = match
        ? await match[1](recorded)
        : url.pathname.endsWith("/.well-known/jwks.json")
          ? { status: 200, body: { keys: [...keys.values()].map((k) => k.jwk) } }
          : url.pathname.endsWith("/request-clearance")
            ? await approve(recorded)
            : { status: 404, body: { error: { code: "not_found", message: "no such path" } } };
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const on = (path: string, responder: Responder) => void responders.unshift([path.startsWith("/api") ? path : `/api${path}`, responder]);
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    on,
    sign,
    approveEdited(approved, { requestId = "req_edited", tokenArgs = approved } = {}) {
      let asked: { tool_name: string } = { tool_name: "" };
      on("/request-clearance", (req) => {
        asked = req.body as { tool_name: string };
        return { status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: requestId } };
      });
      on("/clearance-status/*", async () => {
        const token = await sign({ request_id: requestId, tool: asked.tool_name, tool_args_hash: toolArgsHash(tokenArgs ?? {}), tenant_id: "ten_test" });
        return { status: 200, body: { status: "approved", decision_status: "approved", token, request_id: requestId, reason: "edited and approved", tool_args: approved, args_edited: true } };
      });
    },
    rotate(kid) {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      keys.set(kid, { jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" }, key: privateKey });
      return privateKey;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
