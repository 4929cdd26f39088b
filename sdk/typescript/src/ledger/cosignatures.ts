import { concatBytes, equalBytes, fromBase64Url, toHex, utf8 } from "./bytes";
import { importEd25519, sha256, verifyEd25519, type Steps } from "./steps";

// Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) on a checkpoint
// served as a C2SP signed note (c2sp.org/signed-note, c2sp.org/tlog-checkpoint). A witness
// cosigns a checkpoint only if it is consistent with every checkpoint of that log it saw
// before, so a quorum of them shows the log serves one history to everyone. Written as
// steps (steps.ts) so the same code runs over node:crypto and WebCrypto.

/** The signature type byte of Ed25519 cosignature/v1 keys (0x01 is a plain Ed25519 note key). */
const COSIGNATURE_V1 = 0x04;
const SIGNATURE_PREFIX = "\u2014 ";

export interface WitnessKey {
  /** The witness's key name, as in its signature lines. */
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

export interface NoteSignature {
  name: string;
  /** base64-decoded: 4-byte key id, then the signature. */
  bytes: Uint8Array;
}

export interface SplitNote {
  /** The signed text, ending in a newline. */
  body: string;
  signatures: NoteSignature[];
}

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  /** 64-char lowercase hex. */
  rootHash: string;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const base64url = (bytes: Uint8Array) => toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function strictBase64(text: string): Uint8Array {
  const bytes = fromBase64Url(text);
  if (toBase64(bytes) !== text) throw new TypeError(`not standard base64: ${JSON.stringify(text)}`);
  return bytes;
}

/** Parses a witness verifier key `<name>+<hex key id>+base64(0x04 ‖ Ed25519 key)` and checks its key id. */
export function* witnessKey(vkey: string): Steps<WitnessKey> {
  const [name, id, ...rest] = vkey.trim().split("+");
  const typed = rest.join("+"); // base64 may itself hold "+"
  if (!name || /\s/u.test(name) || !id || !/^[0-9a-f]{8}$/.test(id) || !typed) {
    throw new TypeError(`not a witness verifier key <name>+<key id>+<key>: ${JSON.stringify(vkey)}`);
  }
  const key = strictBase64(typed);
  if (key.length !== 33 || key[0] !== COSIGNATURE_V1) {
    throw new TypeError(`witness key ${name} is not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)`);
  }
  const publicKey = key.subarray(1);
  const keyId = (yield* sha256([utf8(`${name}\n`), Uint8Array.of(COSIGNATURE_V1), publicKey])).subarray(0, 4);
  if (toHex(keyId) !== id) throw new TypeError(`witness key ${name}: key id ${id} is not the hash of its key (${toHex(keyId)})`);
  return { name, keyId, publicKey };
}

/** Splits a signed note into its body and signature lines (c2sp.org/signed-note). */
export function splitNote(note: string): SplitNote {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new TypeError("not a signed note");
  const signatures = note.slice(split + 2, -1).split("\n").map((line) => {
    const [name, encoded, ...extra] = line.startsWith(SIGNATURE_PREFIX) ? line.slice(SIGNATURE_PREFIX.length).split(" ") : [];
    if (!name || !encoded || extra.length > 0) throw new TypeError(`malformed signature line ${JSON.stringify(line)}`);
    const bytes = strictBase64(encoded);
    if (bytes.length < 5) throw new TypeError(`malformed signature line ${JSON.stringify(line)}`);
    return { name, bytes };
  });
  return { body: note.slice(0, split + 1), signatures };
}

/** The three lines of a c2sp.org/tlog-checkpoint body (extension lines may follow). */
export function checkpointBody(body: string): CheckpointBody {
  const [origin, size, root] = body.split("\n");
  if (!origin || !size || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)) || root === undefined) {
    throw new TypeError("a checkpoint has an origin, a decimal tree size and a root hash line");
  }
  const rootBytes = strictBase64(root);
  if (rootBytes.length !== 32) throw new TypeError(`root hash ${JSON.stringify(root)} is not 32 bytes`);
  return { origin, treeSize: Number(size), rootHash: toHex(rootBytes) };
}

/**
 * The time a cosignature by `witness` over `body` states, or undefined if `signature` is not
 * one by this witness (another name or key id). One that names the witness and fails is an error.
 */
export function* cosignatureTime<Key>(witness: WitnessKey, body: string, signature: NoteSignature): Steps<number | undefined> {
  if (signature.name !== witness.name || !equalBytes(signature.bytes.subarray(0, 4), witness.keyId)) return undefined;
  if (signature.bytes.length !== 4 + 8 + 64) throw new TypeError(`the cosignature by ${witness.name} is not 76 bytes`);
  const time = new DataView(signature.bytes.buffer, signature.bytes.byteOffset + 4, 8).getBigUint64(0);
  if (time === 0n || time > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError(`the cosignature by ${witness.name} has timestamp ${time}`);
  const message = concatBytes([utf8(`cosignature/v1\ntime ${time}\n`), utf8(body)]);
  const key = yield* importEd25519<Key>({ kty: "OKP", crv: "Ed25519", x: base64url(witness.publicKey) });
  if (!(yield* verifyEd25519(key, message, signature.bytes.subarray(12)))) {
    throw new TypeError(`the cosignature by ${witness.name} does not verify`);
  }
  return Number(time);
}

/** The witnesses (of `witnesses`) with a valid cosignature on the note: a name and time each. */
export function* cosigners<Key>(note: SplitNote, witnesses: readonly WitnessKey[]): Steps<{ name: string; time: number }[]> {
  const found: { name: string; time: number }[] = [];
  for (const witness of witnesses) {
    for (const signature of note.signatures) {
      const time = yield* cosignatureTime<Key>(witness, note.body, signature);
      if (time !== undefined) {
        found.push({ name: witness.name, time });
        break;
      }
    }
  }
  return found;
}
