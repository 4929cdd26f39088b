import fs from "node:fs";
import type { JSONWebKeySet } from "jose";
import { verifyClearanceToken } from "@/lib/clearance/verify-token";
import { CommandError } from "./run-command";

export interface VerifyTokenOptions {
  /** The vault's API base URL, for its JWKS. */
  url: string;
  issuer: string;
  audience: string;
  /** A JSON file of the arguments about to run. */
  toolArgs?: string;
  /** A file of already-consumed jtis, one per line. */
  consumed?: string;
  /** Verify as of this Unix time instead of now (audits of past calls). */
  at?: string;
  json?: boolean;
}

// ledgix verify-token <token> — exit 1 with the rejection's reason code.
export async function verifyTokenCommand(token: string, options: VerifyTokenOptions): Promise<void> {
  const response = await fetch(`${options.url.replace(/\/+$/, "")}/.well-known/jwks.json`).catch((error: Error) => {
    throw new CommandError("unreachable", `cannot fetch the JWKS: ${error.message}`);
  });
  if (!response.ok) throw new CommandError("unreachable", `the JWKS answered ${response.status}`);
  const jwks = (await response.json()) as JSONWebKeySet;
  const consumed = options.consumed ? new Set(fs.readFileSync(options.consumed, "utf8").split(/\s+/).filter(Boolean)) : undefined;
  const verdict = await verifyClearanceToken(token.trim(), {
    jwks,
    issuer: options.issuer,
    audience: options.audience,
    now: options.at === undefined ? undefined : Number(options.at),
    toolArgs: options.toolArgs ? JSON.parse(fs.readFileSync(options.toolArgs, "utf8")) : undefined,
    consumed: consumed && ((jti) => consumed.has(jti)),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  else if (verdict.ok) process.stdout.write(`valid: jti ${verdict.claims.jti} for request ${String(verdict.claims.request_id)}\n`);
  if (!verdict.ok) throw new CommandError(verdict.reason, `rejected: ${verdict.reason}: ${verdict.message}`);
}
