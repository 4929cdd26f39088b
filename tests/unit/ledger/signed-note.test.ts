import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkpointNoteBody, noteVerifierKey, openNote, parseCheckpointNoteBody, signNote } from "@/lib/ledger/signed-note";
import { loadVectors, privateKeyFromSeed } from "./vectors";

// The example of Go's golang.org/x/mod/sumdb/note (the reference implementation of C2SP
// signed-note): its private key "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK…", text and signed note.
const goKey = createPrivateKey({
  key: Buffer.concat([
    Buffer.from("302e020100300506032b657004220420", "hex"),
    Buffer.from("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "base64").subarray(1),
  ]),
  format: "der",
  type: "pkcs8",
});
const goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const goNote = `${goText}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe("signed notes", () => {
  it("reproduces the reference implementation's note and verifier key byte for byte", () => {
    expect(signNote(goText, "PeterNeumann", goKey)).toBe(goNote);
    expect(noteVerifierKey("PeterNeumann", goKey)).toBe("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    expect(openNote(goNote, "PeterNeumann", createPublicKey(goKey))).toBe(goText);
  });

  it("ignores signatures by other keys and accepts the one it was asked for", () => {
    const other = generateKeyPairSync("ed25519").privateKey;
    const cosigned = goNote + signNote(goText, "witness.example/w1", other).slice(goText.length + 1);
    expect(openNote(cosigned, "PeterNeumann", createPublicKey(goKey))).toBe(goText);
    expect(openNote(cosigned, "witness.example/w1", createPublicKey(other))).toBe(goText);
  });

  it.each<[string, string, string?]>([
    ["an edited body", goNote.replace("problem is", "problem was"), "does not verify"],
    ["a note signed by another key", signNote(goText, "PeterNeumann", generateKeyPairSync("ed25519").privateKey), "no signature by PeterNeumann"],
    ["another key name", goNote.replace("\u2014 PeterNeumann", "\u2014 PeterN"), "no signature"],
    ["no signature block", goText, "not a signed note"],
    ["a hyphen instead of the em dash", goNote.replace("\u2014", "-"), "malformed"],
    ["a truncated signature", goNote.replace("JnAM=\n", "\n"), "does not verify"],
  ])("rejects %s", (_, note, message) => {
    expect(() => openNote(note, "PeterNeumann", createPublicKey(goKey))).toThrow(message);
  });
});

describe("checkpoint notes", () => {
  const { CP2, key } = loadVectors();

  it("carry origin, decimal size and base64 root, and parse back", () => {
    const checkpoint = { origin: "ledgix.local/ten_1", treeSize: CP2.tree_size, rootHash: CP2.root_hash };
    const body = checkpointNoteBody(checkpoint);
    expect(body).toBe(`ledgix.local/ten_1\n2\n${Buffer.from(CP2.root_hash, "hex").toString("base64")}\n`);
    expect(body.split("\n")[2]).toBe("9c8Pw+hr5LT+MB01BDdsowKWQZzgvZFIw+vojTFik+Q=");
    const note = signNote(body, checkpoint.origin, privateKeyFromSeed(key.seed));
    expect(parseCheckpointNoteBody(openNote(note, checkpoint.origin, createPublicKey(privateKeyFromSeed(key.seed))))).toEqual(checkpoint);
  });

  it.each<[string, string]>([
    ["a tree size with a leading zero", "o\n02\n9c8Pw+hr5LT+MB01BDdsowKWQZzgvZFIw+vojTFik+Q=\n"],
    ["a short root", "o\n2\n9c8Pw+hr5LT+MB01BDdsowKWQZzgvZFIw+vojTFik+==\n"],
    ["a missing line", "o\n2\n"],
  ])("refuse %s", (_, body) => {
    expect(() => parseCheckpointNoteBody(body)).toThrow();
  });

  it("refuse origins a key name cannot be", () => {
    for (const origin of ["", "ledgix local", "ledgix+local"]) {
      expect(() => checkpointNoteBody({ origin, treeSize: 1, rootHash: "00".repeat(32) })).toThrow("invalid key name");
    }
  });
});
