// The shared protocol vectors (../shared/protocol beside the repository), run by the server too.
import { createPrivateKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Checkpoint, LedgerEntry, ProofBundle } from "../../src/ledger/types";

const protocolDir = new URL("../../../../../shared/protocol/", import.meta.url);

export interface TestVectors {
  key: { seed: string; jwk: JsonWebKey & { kid: string } };
  A: LedgerEntry;
  B: LedgerEntry;
  CP1: Checkpoint;
  CP2: Checkpoint;
  bundle: ProofBundle;
  jwt: { header: Record<string, unknown>; claims: Record<string, unknown>; token: string };
}

export interface MerkleVectors {
  inclusion: { desc: string; leaf_index: number; tree_size: number; leaf_hash: string; path: string[]; root: string; want_err: boolean }[];
  consistency: { desc: string; size1: number; size2: number; root1: string; root2: string; path: string[]; want_err: boolean }[];
}

/** A fresh deep copy per call, so tamper tests cannot leak into each other. */
export const loadVectors = (): TestVectors => JSON.parse(readFileSync(new URL("test-vectors.json", protocolDir), "utf8"));
export const loadMerkleVectors = (): MerkleVectors => JSON.parse(readFileSync(new URL("merkle-vectors.json", protocolDir), "utf8"));

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export const privateKeyFromSeed = (seedHex: string): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seedHex, "hex")]), format: "der", type: "pkcs8" });
