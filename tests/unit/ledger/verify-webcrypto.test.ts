// The WebCrypto verifier (crypto.subtle, as browsers run it) against the sync node:crypto one:
// same verdict, same check list, same failed check and detail, on the shared vectors, real
// signed bundles and tampered copies.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CheckRecord } from "@/sdk/typescript/src/ledger/checks";
import type { ProofBundle } from "@/sdk/typescript/src/ledger/types";
import { verifyBundle, keysFromJwks, type CheckName, type Verification } from "@/sdk/typescript/src/ledger/verify";
import { verifyBundleWebCrypto } from "@/sdk/typescript/src/ledger/webcrypto";
import { signedLedger } from "./signed-ledger";
import { loadVectors } from "./vectors";

const otherKeyJwk = { ...generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }), kid: "vault-test-2026-01" };
const otherPublicJwk = Buffer.from(JSON.stringify(otherKeyJwk)).toString("base64url");
const flipHexDigit = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);

/** Runs both verifiers and asserts they agree exactly; returns the WebCrypto verdict. */
async function bothAgree(bundle: ProofBundle, jwks: { keys: JsonWebKey[] } = { keys: [] }): Promise<Verification> {
  const sync = verifyBundle(structuredClone(bundle), keysFromJwks(jwks.keys as never));
  const streamed: CheckRecord[] = [];
  const web = await verifyBundleWebCrypto(bundle, { jwks: jwks as never, onCheck: (r) => streamed.push(r) });
  expect(web).toEqual(sync);
  expect(streamed).toEqual(web.checks);
  return web;
}

describe("verifyBundleWebCrypto", () => {
  it("accepts the §12.5 bundle exactly as the sync verifier does, reporting each check", async () => {
    const result = await bothAgree(loadVectors().bundle);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.check)).toEqual([
      "keys",
      "event_hash",
      "leaf_hash",
      "receipt_fields",
      "receipt_payload",
      "receipt_signature",
      "checkpoint_fields",
      "checkpoint_payload",
      "checkpoint_hash",
      "checkpoint_signature",
      "inclusion_binding",
      "inclusion_proof",
      "consistency_binding",
      "checkpoint_fields",
      "checkpoint_payload",
      "checkpoint_hash",
      "checkpoint_signature",
      "consistency_proof",
    ]);
  });

  it("accepts real signed bundles (inclusion at size 3, consistency to 11)", async () => {
    const { bundles } = await signedLedger();
    for (const bundle of bundles) expect((await bothAgree(bundle)).ok).toBe(true);
  });

  it("falls back to the JWKS when the bundle embeds no key, and skips a missing consistency part", async () => {
    const bundle = loadVectors().bundle;
    bundle.keys = [];
    delete bundle.consistency;
    const noKey = await bothAgree(bundle);
    expect(noKey).toMatchObject({ ok: false, failed: "receipt_signature", detail: expect.stringMatching(/no public key/) });
    const withJwks = await bothAgree(bundle, { keys: [loadVectors().key.jwk as JsonWebKey] });
    expect(withJwks.ok).toBe(true);
    expect(withJwks.checks.at(-1)).toMatchObject({ check: "consistency_proof", status: "skipped" });
  });

  it.each<[string, (b: ProofBundle) => void, CheckName, RegExp]>([
    [
      "a flipped byte in the event (amount)",
      (b) => ((b.event.tool_args.amount as number) += 1),
      "event_hash",
      /recomputed [0-9a-f]{64}, served/,
    ],
    ["a wrong inclusion proof node", (b) => (b.inclusion.path[0] = flipHexDigit(b.inclusion.path[0]!)), "inclusion_proof", /root_mismatch/],
    ["a wrong consistency proof node", (b) => (b.consistency!.path[0] = flipHexDigit(b.consistency!.path[0]!)), "consistency_proof", /root_mismatch/],
    [
      "a bad checkpoint signature",
      (b) => (b.inclusion.checkpoint.checkpoint_signature = b.event.receipt_signature),
      "checkpoint_signature",
      /does not verify/,
    ],
    ["the wrong key (another signer's, same kid)", (b) => (b.keys[0]!.public_jwk = otherPublicJwk), "receipt_signature", /does not verify/],
    ["an embedded key with a different kid", (b) => (b.keys[0]!.key_id = "someone-else"), "keys", /embeds a JWK with kid/],
    ["a changed leaf_hash", (b) => (b.event.leaf_hash = b.event.event_hash), "leaf_hash", /recomputed/],
    ["a stale consistency start", (b) => (b.consistency!.from_checkpoint = loadVectors().CP2), "consistency_binding", /not the inclusion/],
  ])("fails at the named check on %s, as the sync verifier does", async (_, tamper, failed, detail) => {
    // Leaf 1 of 3: its inclusion path has two nodes (the §12.5 bundle's has none).
    const bundle = (await signedLedger()).bundles[1]!;
    tamper(bundle);
    const result = await bothAgree(bundle);
    expect(result).toMatchObject({ ok: false, failed, detail: expect.stringMatching(detail) });
  });

  it("fails the keys check when the embedded key is not an Ed25519 JWK", async () => {
    const bundle = loadVectors().bundle;
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    bundle.keys[0]!.public_jwk = Buffer.from(JSON.stringify(ec)).toString("base64url");
    // The message is the crypto provider's own, so only the failing check is compared.
    const sync = verifyBundle(structuredClone(bundle));
    const web = await verifyBundleWebCrypto(bundle);
    expect(sync).toMatchObject({ ok: false, failed: "keys" });
    expect(web).toMatchObject({ ok: false, failed: "keys", checks: [] });
  });
});
