// Loads the shared protocol test vectors (§12), which every implementation must reproduce.
import { createPrivateKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Checkpoint, EventFields, LedgerEntry, ProofBundle } from "@/sdk/typescript/src/ledger/types";

interface TestVectors {
  key: { seed: string; jwk: JsonWebKey & { kid: string } };
  A: LedgerEntry;
  B: LedgerEntry;
  A_extra: { event_payload_hex: string; receipt_payload_hex: string };
  B_extra: { event_payload_hex: string; receipt_payload_hex: string };
  C: { float: string; int: string };
  D: { event_hash: string; event_payload_hex: string; fields: EventFields };
  CP1: Checkpoint;
  CP2: Checkpoint;
  CP1_hex: string;
  CP2_hex: string;
  bundle: ProofBundle;
  inclusionB: { leaf_index: number; tree_size: number; path: string[] };
  merkle: {
    E: string[];
    L: string[];
    roots: Record<string, string>;
    inclusion_2_7: string[];
    consistency_3_7: string[];
    empty_root: string;
  };
}

const file = new URL("../../../../shared/protocol/test-vectors.json", import.meta.url);

/** A fresh deep copy per call, so tamper tests cannot leak into each other. */
export function loadVectors(): TestVectors {
  return JSON.parse(readFileSync(file, "utf8")) as TestVectors;
}

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function privateKeyFromSeed(seedHex: string): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seedHex, "hex")]),
    format: "der",
    type: "pkcs8",
  });
}
