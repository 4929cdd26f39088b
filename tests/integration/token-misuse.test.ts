// Issue 7 harness: token misuse as a table. Every row is a real token from the server (or
// a forgery built from one) and is refused with its reason code by the library a protected
// service embeds (lib/clearance/verify-token.ts, whose reason codes the gateway shares) and by
// `ledgix verify-token` alike.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeJwt, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { verifyClearanceToken, type TokenRejection } from "@/lib/clearance/verify-token";
import { cli } from "../fixtures/cli";
import { createTenant, refund } from "../fixtures/tenant";

const server = inject("servers").find((s) => s.kind === "postgres") ?? inject("servers")[0]!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-token-misuse-"));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const parts = (token: string) => token.split(".") as [string, string, string];
const header = (token: string) => JSON.parse(Buffer.from(parts(token)[0], "base64url").toString()) as Record<string, unknown>;

interface Row {
  name: string;
  /** Builds the presented token from a genuine one. */
  token: (genuine: string) => string;
  options?: { audience?: string; issuer?: string; at?: (claims: { iat: number; exp: number }) => number; consumed?: boolean; toolArgs?: unknown };
  expected: TokenRejection | "valid";
}

let genuine: string;
let jwks: JSONWebKeySet;

const rows: Row[] = [
  { name: "the genuine token", token: (t) => t, expected: "valid" },
  { name: "expired", token: (t) => t, options: { at: (c) => c.exp + 1 }, expected: "token_expired" },
  { name: "not yet valid", token: (t) => t, options: { at: (c) => c.iat - 120 }, expected: "token_not_yet_valid" },
  { name: "wrong audience", token: (t) => t, options: { audience: "payments-service" }, expected: "wrong_audience" },
  { name: "wrong issuer", token: (t) => t, options: { issuer: "someone-else" }, expected: "wrong_issuer" },
  { name: "alg none", token: (t) => `${b64({ alg: "none", typ: "JWT" })}.${parts(t)[1]}.`, expected: "unsupported_algorithm" },
  {
    name: "HS256 keyed with the public key",
    token: (t) => {
      const input = `${b64({ ...header(t), alg: "HS256" })}.${parts(t)[1]}`;
      const publicKey = Buffer.from(String((jwks.keys.find((k) => k.kid === header(t).kid) ?? jwks.keys[0]!).x), "base64url");
      return `${input}.${createHmac("sha256", publicKey).update(input).digest("base64url")}`;
    },
    expected: "unsupported_algorithm",
  },
  { name: "unknown kid", token: (t) => `${b64({ ...header(t), kid: "sk_not_a_key" })}.${parts(t)[1]}.${parts(t)[2]}`, expected: "unknown_key" },
  {
    name: "altered payload (amount hash swapped)",
    token: (t) => `${parts(t)[0]}.${b64({ ...decodeJwt(t), tool_args_hash: "0".repeat(64) })}.${parts(t)[2]}`,
    expected: "bad_signature",
  },
  { name: "other arguments than approved", token: (t) => t, options: { toolArgs: { amount: 4500, currency: "USD" } }, expected: "tool_args_mismatch" },
  { name: "replay after consume", token: (t) => t, options: { consumed: true }, expected: "token_replayed" },
  { name: "not a JWT at all", token: () => "not.a.jwt", expected: "malformed_token" },
];

beforeAll(async () => {
  const tenant = await createTenant(server);
  const approved = (await (await tenant.post("/api/clearance", refund(45))).json()) as { token: string };
  genuine = approved.token;
  jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}, 240_000);

describe("token misuse", () => {
  it.each(rows)("$name → $expected, by the library and by ledgix verify-token", { timeout: 180_000 }, async (row) => {
    const token = row.token(genuine);
    const claims = decodeJwt(genuine) as { iat: number; exp: number; jti: string };
    const o = row.options ?? {};
    const at = o.at?.(claims);
    const expectations = { jwks, issuer: o.issuer ?? "alcv-vault", audience: o.audience ?? "ledgix-sdk", now: at, toolArgs: o.toolArgs ?? { amount: 45, currency: "USD" } };

    const verdict = await verifyClearanceToken(token, { ...expectations, consumed: o.consumed ? (jti) => jti === claims.jti : undefined });
    expect(verdict.ok ? "valid" : verdict.reason).toBe(row.expected);

    const argsFile = path.join(dir, `${row.name.replace(/\W+/g, "-")}.args.json`);
    fs.writeFileSync(argsFile, JSON.stringify(expectations.toolArgs));
    const args = ["verify-token", token, "--url", `${server.url}/api`, "--issuer", expectations.issuer, "--audience", expectations.audience, "--tool-args", argsFile];
    if (at !== undefined) args.push("--at", String(at));
    if (o.consumed) {
      const consumed = path.join(dir, "consumed.txt");
      fs.writeFileSync(consumed, `${claims.jti}\n`);
      args.push("--consumed", consumed);
    }
    const result = await cli(args, server.env);
    if (row.expected === "valid") {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`valid: jti ${claims.jti}`);
    } else {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`rejected: ${row.expected}:`);
    }
  });
});
