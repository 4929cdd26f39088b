import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { masterKey } from "./master-key";

// AES-256-GCM; `context` is bound as associated data so a ciphertext cannot be
// moved to another row. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
export function seal(plaintext: Buffer | string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey(), iv).setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** A sealed value this master key cannot open: another key sealed it, or it was altered. */
export class SealedValueError extends Error {
  constructor(readonly context: string) {
    super(`Cannot open the sealed value of ${context} with this master key`);
  }
}

export function open(sealed: string, context: string): Buffer {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Unreadable sealed value");
  const decipher = createDecipheriv("aes-256-gcm", masterKey(), Buffer.from(iv, "base64url"))
    .setAAD(Buffer.from(context))
    .setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
  } catch {
    throw new SealedValueError(context);
  }
}
