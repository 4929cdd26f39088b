import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

// Checkpoints as C2SP signed notes (c2sp.org/signed-note) with a tlog-checkpoint body
// (c2sp.org/tlog-checkpoint), the form transparency-log witnesses read and cosign.

/** Signature type byte of Ed25519 in key hashes and verifier keys. */
const ED25519_TYPE = 0x01;
/** Every signature line starts with an em dash (U+2014) and a space. */
const SIGNATURE_PREFIX = "\u2014 ";
// Key names (and origins) are non-empty and hold neither Unicode spaces nor "+".
const KEY_NAME = /^[^\s+]+$/u;

export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoteError";
  }
}

export interface NoteCheckpoint {
  origin: string;
  treeSize: number;
  /** 64-char lowercase hex, as everywhere else in the ledger. */
  rootHash: string;
}

function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new TypeError("signed notes here use Ed25519 keys");
  return Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
}

function assertKeyName(name: string): void {
  if (!KEY_NAME.test(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
}

/** First 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key): tells verifiers which key signed. */
export function noteKeyHash(name: string, key: KeyObject): Buffer {
  const hash = createHash("sha256").update(`${name}\n`).update(Buffer.from([ED25519_TYPE])).update(rawPublicKey(key));
  return hash.digest().subarray(0, 4);
}

/** The verifier key a witness is configured with: `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`. */
export function noteVerifierKey(name: string, key: KeyObject): string {
  assertKeyName(name);
  const typed = Buffer.concat([Buffer.from([ED25519_TYPE]), rawPublicKey(key)]);
  return `${name}+${noteKeyHash(name, key).toString("hex")}+${typed.toString("base64")}`;
}

/** The checkpoint body: origin, decimal tree size and standard base64 of the raw root hash. */
export function checkpointNoteBody({ origin, treeSize, rootHash }: NoteCheckpoint): string {
  assertKeyName(origin);
  if (!Number.isSafeInteger(treeSize) || treeSize < 1) throw new RangeError(`no note for tree_size ${treeSize}`);
  if (!/^[0-9a-f]{64}$/.test(rootHash)) throw new TypeError(`not a root hash: ${JSON.stringify(rootHash)}`);
  return `${origin}\n${treeSize}\n${Buffer.from(rootHash, "hex").toString("base64")}\n`;
}

export function parseCheckpointNoteBody(body: string): NoteCheckpoint {
  const [origin, size, root, ...rest] = body.split("\n");
  // Extension lines may follow the three mandatory ones; the body always ends with "\n".
  if (origin === undefined || size === undefined || root === undefined || rest.at(-1) !== "") {
    throw new NoteError("a checkpoint body has an origin, a tree size and a root hash line");
  }
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new NoteError(`bad tree size ${JSON.stringify(size)}`);
  const rootBytes = Buffer.from(root, "base64");
  if (rootBytes.length !== 32 || rootBytes.toString("base64") !== root) throw new NoteError(`bad root hash ${JSON.stringify(root)}`);
  return { origin, treeSize: Number(size), rootHash: rootBytes.toString("hex") };
}

/** Signs `body` (which must end in a newline) as a one-signature note. */
export function signNote(body: string, name: string, privateKey: KeyObject): string {
  assertKeyName(name);
  if (!body.endsWith("\n") || body.includes("\n\n")) throw new NoteError("a note body ends with one newline and has no blank line");
  const signature = sign(null, Buffer.from(body, "utf8"), privateKey);
  const line = `${SIGNATURE_PREFIX}${name} ${Buffer.concat([noteKeyHash(name, privateKey), signature]).toString("base64")}\n`;
  return `${body}\n${line}`;
}

/**
 * Returns the body of `note` if it carries a valid signature by `name` under `publicKey`.
 * Signatures by other keys are ignored, as the spec asks; one by this key that fails is fatal.
 */
export function openNote(note: string, name: string, publicKey: KeyObject): string {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new NoteError("not a signed note");
  const body = note.slice(0, split + 1);
  const keyHash = noteKeyHash(name, publicKey);
  for (const line of note.slice(split + 2, -1).split("\n")) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError(`malformed signature line ${JSON.stringify(line)}`);
    const [signer, encoded, ...extra] = line.slice(SIGNATURE_PREFIX.length).split(" ");
    const bytes = Buffer.from(encoded ?? "", "base64");
    if (!signer || extra.length > 0 || bytes.length < 5) throw new NoteError(`malformed signature line ${JSON.stringify(line)}`);
    if (signer !== name || !bytes.subarray(0, 4).equals(keyHash)) continue;
    if (!verify(null, Buffer.from(body, "utf8"), publicKey, bytes.subarray(4))) throw new NoteError(`the signature by ${name} does not verify`);
    return body;
  }
  throw new NoteError(`no signature by ${name} with key hash ${keyHash.toString("hex")}`);
}
