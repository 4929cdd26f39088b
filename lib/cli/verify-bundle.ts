import type { JsonWebKey } from "node:crypto";
import fs from "node:fs";
import type { ProofBundle } from "@/sdk/typescript/src/ledger/types";
import { keysFromJwks, thenVerify, verifyBundle, verifyWitnessedNote, type Verification } from "@/sdk/typescript/src/ledger/verify";
import { CommandError } from "./run-command";
import { checkLines, failUnlessIntact, verdictLine } from "./verification-report";
import { witnessPolicyOf, type WitnessOptions } from "./witness-policy";

export interface VerifyBundleOptions extends WitnessOptions {
  /** A JWKS file, for bundles that embed no keys. */
  jwks?: string;
  json?: boolean;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new CommandError("invalid_input", `cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

/** Malformed bundles and key files are an input error, not a verdict. */
function checkBundle(bundle: ProofBundle, jwksFile: string | undefined, file: string): Verification {
  try {
    const jwks = jwksFile ? keysFromJwks((readJson(jwksFile, "JWKS") as { keys: JsonWebKey[] }).keys) : undefined;
    // §6.4: `keys` defaults to [].
    return verifyBundle({ ...bundle, keys: bundle.keys ?? [] }, jwks);
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError("invalid_input", `${file} is not a proof bundle: ${(error as Error).message}`);
  }
}

/** What an intact bundle proves, in one sentence. */
function provenStatement(bundle: ProofBundle): string {
  const { event, inclusion, consistency } = bundle;
  const covered = `checkpoint ${inclusion.checkpoint.checkpoint_id} (tree size ${inclusion.tree_size})`;
  const latest = consistency
    ? `, which checkpoint ${consistency.to_checkpoint.checkpoint_id} (tree size ${consistency.to_checkpoint.tree_size}) extends`
    : "";
  return `intact: request ${event.request_id} (entry seq ${event.seq}) is leaf ${inclusion.leaf_index} of ${covered}${latest}`;
}

// ledgix verify <bundle.json> — prints every check and its subject; exit 1 names the failed one.
export async function verifyBundleCommand(file: string, options: VerifyBundleOptions): Promise<void> {
  const bundle = readJson(file, "proof bundle") as ProofBundle;
  const policy = witnessPolicyOf(options);
  let result = checkBundle(bundle, options.jwks, file);
  if (policy) {
    // The note must state the bundle's newest checkpoint, verified above.
    const newest = bundle.consistency?.to_checkpoint ?? bundle.inclusion.checkpoint;
    result = thenVerify(result, () => verifyWitnessedNote(bundle.checkpoint_note ?? "", [newest], policy));
  }
  const lines = options.json ? [JSON.stringify(result, null, 2)] : [...checkLines(result), verdictLine(result, () => provenStatement(bundle))];
  process.stdout.write(`${lines.join("\n")}\n`);
  failUnlessIntact(result);
}
