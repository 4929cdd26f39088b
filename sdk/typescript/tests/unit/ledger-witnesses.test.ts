import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TokenVerificationError } from "../../src/errors";
import { verifyProofBundle } from "../../src/ledger/fetch";
import { loadVectors } from "../helpers/vectors";

// verifyProofBundle with witnesses: the bundle's checkpoint note must carry cosignatures
// (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) by the witnesses asked for, made here by a
// reference cosigner written from the spec.

function witness(name: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const typed = Buffer.concat([Buffer.from([0x04]), Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url")]);
  const keyId = createHash("sha256").update(`${name}\n`).update(typed).digest().subarray(0, 4);
  return {
    vkey: `${name}+${keyId.toString("hex")}+${typed.toString("base64")}`,
    cosign: (body: string, time = 1_765_000_000) => {
      const timestamp = Buffer.alloc(8);
      timestamp.writeBigUInt64BE(BigInt(time));
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), privateKey);
      return `\u2014 ${name} ${Buffer.concat([keyId, timestamp, signature]).toString("base64")}\n`;
    },
  };
}

const bundleWith = (note?: string) => ({ ...loadVectors().bundle, ...(note === undefined ? {} : { checkpoint_note: note }) });
const newest = loadVectors().bundle.consistency!.to_checkpoint;
const body = `ledgix.local/ten_test\n${newest.tree_size}\n${Buffer.from(newest.root_hash, "hex").toString("base64")}\n`;
const logLine = `\u2014 ledgix.local/ten_test ${Buffer.alloc(68).toString("base64")}\n`;
const w1 = witness("witness.example/w1");
const w2 = witness("witness.example/w2");

const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as TokenVerificationError;
  }
  throw new Error("verified");
};

describe("proof bundles and witnesses", () => {
  it("passes when the asked witnesses cosigned the bundle's newest checkpoint", () => {
    const result = verifyProofBundle(bundleWith(`${body}\n${logLine}${w1.cosign(body)}`), undefined, { witnesses: [w1.vkey] });
    expect(result.checks.filter((c) => c.check === "witness_cosignatures")).toHaveLength(1);
    expect(verifyProofBundle(bundleWith(`${body}\n${logLine}${w1.cosign(body)}`), undefined, { witnesses: [w1.vkey, w2.vkey], minWitnesses: 1 }).ok).toBe(true);
  });

  it.each([
    { name: "a cosignature by another witness", bundle: bundleWith(`${body}\n${logLine}${w2.cosign(body)}`), options: { witnesses: [w1.vkey] }, failed: /witness_cosignatures/ },
    { name: "fewer than the minimum", bundle: bundleWith(`${body}\n${logLine}${w1.cosign(body)}`), options: { witnesses: [w1.vkey, w2.vkey] }, failed: /1 valid cosignature/ },
    { name: "a minimum and no witness", bundle: bundleWith(`${body}\n${logLine}`), options: { minWitnesses: 1 }, failed: /witness_cosignatures/ },
    { name: "no checkpoint note", bundle: bundleWith(), options: { witnesses: [w1.vkey] }, failed: /checkpoint_note/ },
  ])("refuses $name", ({ bundle, options, failed }) => {
    const error = failure(() => verifyProofBundle(bundle, undefined, options));
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect(error.message).toMatch(failed);
  });

  it("does not look at the note when no witness is asked for", () => {
    expect(verifyProofBundle(bundleWith()).ok).toBe(true);
  });
});
