import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CHECKPOINT_DOMAIN,
  EVENT_DOMAIN,
  LEAF_PREFIX,
  NODE_PREFIX,
  checkpointHash,
  eventHash,
  leafHash,
  nodeHash,
} from "@/sdk/typescript/src/ledger/hashes";
import { checkpointPayload, eventPayload, receiptPayload } from "@/sdk/typescript/src/ledger/payloads";
import { signCheckpoint, signReceipt } from "@/lib/ledger/sign";
import { loadVectors, privateKeyFromSeed } from "./vectors";

const v = loadVectors();
const privateKey = privateKeyFromSeed(v.key.seed);
const keyId = v.key.jwk.kid;

describe("domain prefixes (§6.7)", () => {
  it("match the spec bytes", () => {
    expect(Buffer.from(EVENT_DOMAIN).toString("hex")).toBe("6c65646769782e61756469742e6576656e742e763100");
    expect(Buffer.from(CHECKPOINT_DOMAIN).toString("hex")).toBe("6c65646769782e61756469742e636865636b706f696e742e763100");
    expect(Buffer.from(LEAF_PREFIX).toString("hex")).toBe("00");
    expect(Buffer.from(NODE_PREFIX).toString("hex")).toBe("01");
  });

  it("reject non-canonical hex hashes", () => {
    expect(() => leafHash(v.A.event_hash.toUpperCase())).toThrow(TypeError);
    expect(() => nodeHash(v.A.leaf_hash, "sha256:" + v.B.leaf_hash)).toThrow(TypeError);
    expect(() => leafHash(v.A.event_hash.slice(2))).toThrow(TypeError);
  });
});

describe("event payloads and hashes (§12.2–12.4)", () => {
  it.each([
    ["A (canonical_version 2)", v.A, v.A_extra.event_payload_hex, 566],
    ["B (canonical_version 1)", v.B, v.B_extra.event_payload_hex, 475],
  ])("reproduces entry %s", (_, entry, payloadHex, length) => {
    const payload = Buffer.from(eventPayload(entry));
    expect(payload.length).toBe(length);
    expect(payload.toString("hex")).toBe(payloadHex);
    expect(eventHash(payload)).toBe(entry.event_hash);
    expect(leafHash(entry.event_hash)).toBe(entry.leaf_hash);
  });

  it("reproduces D (canonical_version 3)", () => {
    const payload = Buffer.from(eventPayload(v.D.fields));
    expect(payload[0]).toBe(0xb6);
    expect(payload.toString("hex")).toBe(v.D.event_payload_hex);
    expect(eventHash(payload)).toBe(v.D.event_hash);
  });

  it("hashes C's confidence 0 as binary64; the TS-client variant differs only in that encoding", () => {
    const c = {
      ...v.B,
      seq: 3,
      event_uuid: "0191f3a2-6b1c-7d2e-8f30-4a5b6c7d8ea1",
      request_id: "req_vec_0003",
      confidence: 0,
    };
    const payload = Buffer.from(eventPayload(c));
    expect(eventHash(payload)).toBe(v.C.float);
    const asFloat = Buffer.from("6a636f6e666964656e6365fb0000000000000000", "hex");
    const asInt = Buffer.from("6a636f6e666964656e636500", "hex");
    const at = payload.indexOf(asFloat);
    expect(at).toBeGreaterThan(0);
    const tsVariant = Buffer.concat([payload.subarray(0, at), asInt, payload.subarray(at + asFloat.length)]);
    expect(eventHash(tsVariant)).toBe(v.C.int);
  });

  it("maps null v2/v3 fields to empty values", () => {
    const absent = { ...v.D.fields };
    delete absent.confidence_bucket;
    delete absent.matched_rule_ids;
    const explicit = { ...v.D.fields, confidence_bucket: "", matched_rule_ids: [] };
    const nulls = { ...v.D.fields, confidence_bucket: null, matched_rule_ids: null };
    expect(eventPayload(absent)).toEqual(eventPayload(explicit));
    expect(eventPayload(nulls)).toEqual(eventPayload(explicit));
  });

  it("refuses a canonical_version it has no layout for", () => {
    for (const canonical_version of [0, 4, 1.5]) {
      expect(() => eventPayload({ ...v.B, canonical_version })).toThrow(RangeError);
    }
  });
});

describe("receipts (§6.8)", () => {
  it.each([
    ["A", v.A, v.A_extra.receipt_payload_hex],
    ["B", v.B, v.B_extra.receipt_payload_hex],
  ])("reproduces %s's receipt payload and signature", (_, entry, payloadHex) => {
    const payload = Buffer.from(receiptPayload(entry));
    expect(payload.toString("hex")).toBe(payloadHex);
    expect(payload.toString("base64url")).toBe(entry.receipt_payload);
    const { event_uuid, request_id, accepted_at, event_hash, leaf_hash } = entry;
    expect(signReceipt({ event_uuid, request_id, accepted_at, event_hash, leaf_hash }, keyId, privateKey)).toEqual({
      receipt_algorithm: "Ed25519",
      receipt_key_id: entry.receipt_key_id,
      receipt_payload: entry.receipt_payload,
      receipt_signature: entry.receipt_signature,
    });
  });

  it("refuses to sign a leaf hash that is not LEAF(event_hash)", () => {
    expect(() => signReceipt({ ...v.A, leaf_hash: v.B.leaf_hash }, keyId, privateKey)).toThrow();
  });

  it("refuses to sign with anything but an Ed25519 private key", () => {
    expect(() => signReceipt(v.A, keyId, createPublicKey(privateKey))).toThrow(TypeError);
  });
});

describe("checkpoints (§6.9, §12.5)", () => {
  it.each([
    ["CP1", v.CP1, v.CP1_hex],
    ["CP2", v.CP2, v.CP2_hex],
  ])("reproduces %s", (_, cp, payloadHex) => {
    const payload = Buffer.from(checkpointPayload(cp));
    expect(payload.toString("hex")).toBe(payloadHex);
    expect(checkpointHash(payload)).toBe(cp.checkpoint_hash);
    const { tree_size, root_hash, signed_at, mmd_seconds, export_target, prev_checkpoint_hash } = cp;
    const fields = { tree_size, root_hash, signed_at, mmd_seconds, export_target, prev_checkpoint_hash };
    expect(signCheckpoint(fields, keyId, privateKey)).toEqual({
      signature_algorithm: "Ed25519",
      signer_key_id: cp.signer_key_id,
      checkpoint_payload: cp.checkpoint_payload,
      checkpoint_hash: cp.checkpoint_hash,
      checkpoint_signature: cp.checkpoint_signature,
    });
  });

  it("chains CP2 to CP1 and roots them in A and B", () => {
    expect(v.CP1.prev_checkpoint_hash).toBe("");
    expect(v.CP2.prev_checkpoint_hash).toBe(v.CP1.checkpoint_hash);
    expect(v.CP1.root_hash).toBe(v.A.leaf_hash);
    expect(nodeHash(v.A.leaf_hash, v.B.leaf_hash)).toBe(v.CP2.root_hash);
  });

  it("never signs an empty tree", () => {
    expect(() => signCheckpoint({ ...v.CP1, tree_size: 0, root_hash: "" }, keyId, privateKey)).toThrow(RangeError);
  });
});

describe("test key (§12.1)", () => {
  it("derives the published public JWK and bundle public_jwk from the seed", () => {
    const jwk = createPublicKey(privateKey).export({ format: "jwk" });
    expect(jwk.x).toBe(v.key.jwk.x);
    expect(Buffer.from(JSON.stringify(v.key.jwk)).toString("base64url")).toBe(v.bundle.keys[0]!.public_jwk);
  });
});
