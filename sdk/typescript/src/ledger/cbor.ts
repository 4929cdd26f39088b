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

export function encodeCbor(value: CborValue): Buffer {
  const chunks: Buffer[] = [];
  write(value, chunks);
  return Buffer.concat(chunks);
}

/** Initial byte plus the shortest argument encoding (§6.5 "Argument encoding"). */
function head(major: number, argument: bigint | number): Buffer {
  const arg = BigInt(argument);
  const type = major << 5;
  if (arg < 24n) return Buffer.from([type | Number(arg)]);
  if (arg <= 0xffn) return Buffer.from([type | 24, Number(arg)]);
  if (arg <= 0xffffn) {
    const b = Buffer.alloc(3);
    b[0] = type | 25;
    b.writeUInt16BE(Number(arg), 1);
    return b;
  }
  if (arg <= 0xffffffffn) {
    const b = Buffer.alloc(5);
    b[0] = type | 26;
    b.writeUInt32BE(Number(arg), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = type | 27;
  b.writeBigUInt64BE(arg, 1);
  return b;
}

function utf8(text: string): Buffer {
  // Buffer.from would silently turn a lone surrogate into U+FFFD, hashing bytes nobody sent.
  if (!text.isWellFormed()) throw new TypeError("CBOR text contains a lone UTF-16 surrogate");
  return Buffer.from(text, "utf8");
}

function isPlainObject(value: object): value is { readonly [key: string]: CborValue } {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function write(value: CborValue, out: Buffer[]): void {
  if (value === null) {
    out.push(Buffer.from([NULL]));
  } else if (typeof value === "boolean") {
    out.push(Buffer.from([value ? TRUE : FALSE]));
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`CBOR profile forbids ${value}`);
    const b = Buffer.alloc(9);
    b[0] = FLOAT64;
    b.writeDoubleBE(value, 1);
    out.push(b);
  } else if (typeof value === "string") {
    const bytes = utf8(value);
    out.push(head(MAJOR_TEXT, bytes.length), bytes);
  } else if (value instanceof CborInt) {
    const v = value.value;
    out.push(v >= 0n ? head(MAJOR_UNSIGNED, v) : head(MAJOR_NEGATIVE, -1n - v));
  } else if (Array.isArray(value)) {
    out.push(head(MAJOR_ARRAY, value.length));
    for (const item of value as readonly CborValue[]) write(item, out);
  } else if (typeof value === "object" && isPlainObject(value)) {
    // Keys sorted by UTF-8 byte length, then bytewise (§6.5; decisions.md item 13).
    const entries = Object.keys(value)
      .map((key) => [utf8(key), value[key]] as const)
      .sort(([a], [b]) => a.length - b.length || Buffer.compare(a, b));
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
