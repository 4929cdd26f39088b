import { compareBytes, concatBytes, utf8 } from "./bytes";

// Deterministic CBOR encoder for the ledger profile (wire protocol §6.5): unsigned/negative
// integers, text, definite arrays and maps, false/true/null and binary64 floats. Nothing else.

/**
 * A number that must be encoded as a CBOR integer. Plain JS numbers always encode as binary64,
 * because embedded JSON and `confidence` are floats even when integral; only the typed integer
 * fields (`canonical_version`, `version`, `tree_size`, `mmd_seconds`) go through this wrapper.
 */
export class CborInt {
  constructor(readonly value: bigint) {}
}

export type CborValue =
  | string
  | number
  | boolean
  | null
  | CborInt
  | readonly CborValue[]
  | { readonly [key: string]: CborValue };

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const FALSE = 0xf4;
const TRUE = 0xf5;
const NULL = 0xf6;
const FLOAT64 = 0xfb;
const MAX_ARGUMENT = 2n ** 64n - 1n;

export function cborInt(n: number | bigint): CborInt {
  if (typeof n === "number" && !Number.isSafeInteger(n)) {
    throw new TypeError(`CBOR integer must be a safe integer, got ${n}`);
  }
  const value = BigInt(n);
  if (value > MAX_ARGUMENT || value < -1n - MAX_ARGUMENT) {
    throw new RangeError(`CBOR integer out of range: ${value}`);
  }
  return new CborInt(value);
}

export function encodeCbor(value: CborValue): Uint8Array {
  const chunks: Uint8Array[] = [];
  write(value, chunks);
  return concatBytes(chunks);
}

/** `size` bytes: the initial byte, then a big-endian field filled by `fill`. */
function bytes(first: number, size: number, fill?: (view: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  b[0] = first;
  fill?.(new DataView(b.buffer));
  return b;
}

/** Initial byte plus the shortest argument encoding (§6.5 "Argument encoding"). */
function head(major: number, argument: bigint | number): Uint8Array {
  const arg = BigInt(argument);
  const type = major << 5;
  if (arg < 24n) return bytes(type | Number(arg), 1);
  if (arg <= 0xffn) return Uint8Array.of(type | 24, Number(arg));
  if (arg <= 0xffffn) return bytes(type | 25, 3, (v) => v.setUint16(1, Number(arg)));
  if (arg <= 0xffffffffn) return bytes(type | 26, 5, (v) => v.setUint32(1, Number(arg)));
  return bytes(type | 27, 9, (v) => v.setBigUint64(1, arg));
}

function utf8Text(text: string): Uint8Array {
  // TextEncoder would silently turn a lone surrogate into U+FFFD, hashing bytes nobody sent.
  if (!text.isWellFormed()) throw new TypeError("CBOR text contains a lone UTF-16 surrogate");
  return utf8(text);
}

function isPlainObject(value: object): value is { readonly [key: string]: CborValue } {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function write(value: CborValue, out: Uint8Array[]): void {
  if (value === null) {
    out.push(Uint8Array.of(NULL));
  } else if (typeof value === "boolean") {
    out.push(Uint8Array.of(value ? TRUE : FALSE));
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`CBOR profile forbids ${value}`);
    out.push(bytes(FLOAT64, 9, (v) => v.setFloat64(1, value)));
  } else if (typeof value === "string") {
    const text = utf8Text(value);
    out.push(head(MAJOR_TEXT, text.length), text);
  } else if (value instanceof CborInt) {
    const v = value.value;
    out.push(v >= 0n ? head(MAJOR_UNSIGNED, v) : head(MAJOR_NEGATIVE, -1n - v));
  } else if (Array.isArray(value)) {
    out.push(head(MAJOR_ARRAY, value.length));
    for (const item of value as readonly CborValue[]) write(item, out);
  } else if (typeof value === "object" && isPlainObject(value)) {
    // Keys sorted by UTF-8 byte length, then bytewise (§6.5; decisions.md item 13).
    const entries = Object.keys(value)
      .map((key) => [utf8Text(key), value[key]] as const)
      .sort(([a], [b]) => a.length - b.length || compareBytes(a, b));
    out.push(head(MAJOR_MAP, entries.length));
    for (const [key, item] of entries) {
      if (item === undefined) throw new TypeError("CBOR profile has no undefined");
      out.push(head(MAJOR_TEXT, key.length), key);
      write(item, out);
    }
  } else {
    throw new TypeError(`unsupported value for the ledger CBOR profile: ${typeof value}`);
  }
}
