import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkpointNoteBody, signNote } from "@/lib/ledger/signed-note";
import { parseWitnessKey } from "@/lib/ledger/witnesses";
import { verifyBundle, verifyWitnessedNote } from "@/sdk/typescript/src/ledger/verify";
import { noteCosigners, verifyBundleWebCrypto } from "@/sdk/typescript/src/ledger/webcrypto";
import { loadVectors } from "./vectors";
import type { Checkpoint } from "@/sdk/typescript/src/ledger/types";

// Witness cosignatures as c2sp.org/tlog-cosignature defines Ed25519 cosignature/v1, made here by
// a reference cosigner written from the spec (litewitness itself is run by
// tests/integration/ledger-witness.test.ts).

const raw = (key: KeyObject) => Buffer.from(key.export({ format: "jwk" }).x!, "base64url");

function witness(name: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const typed = Buffer.concat([Buffer.from([0x04]), raw(publicKey)]);
  const keyId = createHash("sha256").update(`${name}\n`).update(typed).digest().subarray(0, 4);
  return {
    vkey: `${name}+${keyId.toString("hex")}+${typed.toString("base64")}`,
    /** The note signature line over `body` at `time`. */
    cosign(body: string, time = 1_765_000_000) {
      const timestamp = Buffer.alloc(8);
      timestamp.writeBigUInt64BE(BigInt(time));
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), privateKey);
      return `\u2014 ${name} ${Buffer.concat([keyId, timestamp, signature]).toString("base64")}\n`;
    },
  };
}

const logKey = generateKeyPairSync("ed25519").privateKey;
const origin = "ledgix.local/ten_test";
const rootHash = "ab".repeat(32);
const body = checkpointNoteBody({ origin, treeSize: 5, rootHash });
const logNote = signNote(body, origin, logKey);
const checkpoint = { checkpoint_id: 2, tree_size: 5, root_hash: rootHash } as Checkpoint;
const w1 = witness("witness.example/w1");
const w2 = witness("witness.example/w2");

const flip = (line: string) => {
  const bytes = Buffer.from(line.split(" ")[2]!.trim(), "base64");
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
  return `${line.split(" ").slice(0, 2).join(" ")} ${bytes.toString("base64")}\n`;
};

describe("witness cosignatures on a checkpoint note", () => {
  it("parses a witness verifier key and checks its key id", () => {
    expect(parseWitnessKey(w1.vkey)).toMatchObject({ name: "witness.example/w1" });
    // The base64 key may itself hold "+".
    const [name, id] = w1.vkey.split("+") as [string, string];
    const key = w1.vkey.slice(name.length + id.length + 2);
    expect(() => parseWitnessKey(`${name}+00000000+${key}`)).toThrow(/is not the hash of its key/);
    expect(() => parseWitnessKey(`${name}+${id}+${Buffer.alloc(33, 1).toString("base64")}`)).toThrow(/not an Ed25519 cosignature\/v1 key/);
    expect(() => parseWitnessKey("witness.example/w1")).toThrow(/not a witness verifier key/);
  });

  it.each<{ name: string; note: string; witnesses: string[]; min: number; origin?: string; failed?: string; detail?: RegExp }>([
    { name: "one valid cosignature of one", note: logNote + w1.cosign(body), witnesses: [w1.vkey], min: 1 },
    { name: "two of two", note: logNote + w1.cosign(body) + w2.cosign(body), witnesses: [w1.vkey, w2.vkey], min: 2 },
    { name: "one of two when one is asked", note: logNote + w2.cosign(body), witnesses: [w1.vkey, w2.vkey], min: 1 },
    { name: "no witness when none is required", note: logNote, witnesses: [], min: 0 },
    { name: "a cosignature by another witness", note: logNote + w2.cosign(body), witnesses: [w1.vkey], min: 1, failed: "witness_cosignatures", detail: /0 valid cosignature\(s\) by the 1 given witness\(es\); 1 required/ },
    { name: "too few", note: logNote + w1.cosign(body), witnesses: [w1.vkey, w2.vkey], min: 2, failed: "witness_cosignatures", detail: /1 valid/ },
    { name: "a flipped bit", note: logNote + flip(w1.cosign(body)), witnesses: [w1.vkey], min: 1, failed: "witness_cosignatures", detail: /does not verify/ },
    { name: "a cosignature of another tree", note: logNote + w1.cosign(checkpointNoteBody({ origin, treeSize: 4, rootHash })), witnesses: [w1.vkey], min: 1, failed: "witness_cosignatures", detail: /does not verify/ },
    { name: "a note of another tree size", note: signNote(checkpointNoteBody({ origin, treeSize: 6, rootHash }), origin, logKey), witnesses: [], min: 0, failed: "checkpoint_note", detail: /tree size 6/ },
    { name: "a note of another root", note: signNote(checkpointNoteBody({ origin, treeSize: 5, rootHash: "cd".repeat(32) }), origin, logKey), witnesses: [], min: 0, failed: "checkpoint_note", detail: /differs/ },
    { name: "no note", note: "", witnesses: [w1.vkey], min: 1, failed: "checkpoint_note", detail: /not a signed note/ },
    { name: "the pinned origin", note: logNote + w1.cosign(body), witnesses: [w1.vkey], min: 1, origin },
    { name: "a note of another origin", note: logNote + w1.cosign(body), witnesses: [w1.vkey], min: 1, origin: "ledgix.local/ten_other", failed: "checkpoint_note", detail: /of origin ledgix\.local\/ten_test, not ledgix\.local\/ten_other/ },
  ])("$name", ({ note, witnesses, min, origin: pinned, failed, detail }) => {
    const result = verifyWitnessedNote(note, [checkpoint], { witnesses, min, ...(pinned ? { origin: pinned } : {}) });
    if (!failed) {
      expect(result.ok).toBe(true);
      expect(result.checks.map((c) => c.check)).toEqual(["checkpoint_note", "witness_cosignatures"]);
      return;
    }
    expect(result).toMatchObject({ ok: false, failed });
    expect(result.ok === false && result.detail).toMatch(detail!);
  });
});

describe("witness cosignatures in the browser (WebCrypto)", () => {
  const bundle = loadVectors().bundle;
  const newest = bundle.consistency!.to_checkpoint;
  const newestBody = checkpointNoteBody({ origin, treeSize: newest.tree_size, rootHash: newest.root_hash });
  const cosigned = { ...bundle, checkpoint_note: signNote(newestBody, origin, logKey) + w1.cosign(newestBody, 1_765_000_123) };

  it("verifies a bundle's cosignatures as the sync verifier does, and names who cosigned when", async () => {
    const policy = { witnesses: [w1.vkey], min: 1 };
    const web = await verifyBundleWebCrypto(cosigned, { witnesses: policy });
    expect(web.ok).toBe(true);
    expect(web.checks.slice(-2).map((c) => c.check)).toEqual(["checkpoint_note", "witness_cosignatures"]);
    expect(web.checks).toEqual([...verifyBundle(structuredClone(cosigned)).checks, ...verifyWitnessedNote(cosigned.checkpoint_note, [newest], policy).checks]);
    expect(await noteCosigners(cosigned.checkpoint_note, [w1.vkey, w2.vkey])).toEqual([{ name: "witness.example/w1", time: 1_765_000_123 }]);
  });

  it("fails a bundle whose note lacks the quorum", async () => {
    const web = await verifyBundleWebCrypto(cosigned, { witnesses: { witnesses: [w1.vkey, w2.vkey], min: 2 } });
    expect(web).toMatchObject({ ok: false, failed: "witness_cosignatures" });
  });
});
