// One verification algorithm for two kinds of crypto: node:crypto is synchronous, WebCrypto
// (crypto.subtle) only asynchronous. The algorithm is written once as a generator that yields
// each crypto operation it needs; a driver performs the operations and resumes it, synchronously
// (runSync) or awaiting each result (runAsync). Hand-written rather than gensync: three
// operations and two twenty-line drivers do not justify a dependency in the SDK.

/** A JWK as parsed from JSON; the crypto provider decides whether it is an Ed25519 public key. */
export type Jwk = { readonly kid?: unknown } & Readonly<Record<string, unknown>>;

export type CryptoOp =
  | { readonly op: "sha256"; readonly parts: readonly Uint8Array[] }
  | { readonly op: "import_ed25519"; readonly jwk: Jwk }
  | { readonly op: "verify_ed25519"; readonly key: unknown; readonly data: Uint8Array; readonly signature: Uint8Array };

/** An algorithm that yields crypto operations and returns T. */
export type Steps<T> = Generator<CryptoOp, T, unknown>;

/** Crypto for `runSync`; Key is the provider's key handle (a KeyObject for node:crypto). */
export interface SyncCrypto<Key> {
  sha256(parts: readonly Uint8Array[]): Uint8Array;
  importEd25519(jwk: Jwk): Key;
  verifyEd25519(key: Key, data: Uint8Array, signature: Uint8Array): boolean;
}

/** Crypto for `runAsync` (a CryptoKey for WebCrypto). */
export interface AsyncCrypto<Key> {
  sha256(parts: readonly Uint8Array[]): Promise<Uint8Array>;
  importEd25519(jwk: Jwk): Promise<Key>;
  verifyEd25519(key: Key, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export function* sha256(parts: readonly Uint8Array[]): Steps<Uint8Array> {
  return (yield { op: "sha256", parts }) as Uint8Array;
}

export function* importEd25519<Key>(jwk: Jwk): Steps<Key> {
  return (yield { op: "import_ed25519", jwk }) as Key;
}

export function* verifyEd25519<Key>(key: Key, data: Uint8Array, signature: Uint8Array): Steps<boolean> {
  return (yield { op: "verify_ed25519", key, data, signature }) as boolean;
}

function perform<Key, R>(crypto: SyncCrypto<Key> | AsyncCrypto<Key>, op: CryptoOp): R {
  switch (op.op) {
    case "sha256":
      return crypto.sha256(op.parts) as R;
    case "import_ed25519":
      return crypto.importEd25519(op.jwk) as R;
    case "verify_ed25519":
      return crypto.verifyEd25519(op.key as Key, op.data, op.signature) as R;
  }
}

/** Runs the steps to completion; a failing operation is thrown into the algorithm where it yielded. */
export function runSync<T, Key>(steps: Steps<T>, crypto: SyncCrypto<Key>): T {
  let next = steps.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = perform(crypto, next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

export async function runAsync<T, Key>(steps: Steps<T>, crypto: AsyncCrypto<Key>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = await perform<Key, Promise<unknown>>(crypto, next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}
