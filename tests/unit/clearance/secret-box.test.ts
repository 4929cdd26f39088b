// secret-box: AES-256-GCM under the master key, with the context bound as associated data.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

type SecretBox = typeof import("@/lib/keys/secret-box");

const KEY_A = randomBytes(32).toString("base64");
const KEY_B = randomBytes(32).toString("base64");
const tempDirs: string[] = [];

/** A fresh module graph (env() and masterKey() cache) under the given environment. */
async function loadSecretBox(vars: Record<string, string | undefined>): Promise<SecretBox> {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("LEDGIX_MASTER_KEY", undefined);
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import("@/lib/keys/secret-box");
}

beforeEach(() => vi.unstubAllEnvs());
afterAll(() => {
  vi.unstubAllEnvs();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("seal / open", () => {
  it("round-trips strings and binary data", async () => {
    const { seal, open } = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    expect(open(seal("hello, vault", "ctx"), "ctx").toString("utf8")).toBe("hello, vault");
    const binary = randomBytes(100);
    expect(open(seal(binary, "signing-key:sk_1"), "signing-key:sk_1").equals(binary)).toBe(true);
    expect(open(seal("", "empty"), "empty").length).toBe(0);
  });

  it("produces v1.<iv>.<tag>.<ciphertext> with a fresh IV each time and no plaintext", async () => {
    const { seal } = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    const a = seal("the same secret", "ctx");
    const b = seal("the same secret", "ctx");
    expect(a).not.toBe(b);
    const parts = a.split(".");
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe("v1");
    expect(Buffer.from(parts[1]!, "base64url")).toHaveLength(12);
    expect(Buffer.from(parts[2]!, "base64url")).toHaveLength(16);
    expect(Buffer.from(parts[3]!, "base64url")).toHaveLength("the same secret".length);
    expect(a).not.toContain(Buffer.from("the same secret").toString("base64url"));
  });

  it("a ciphertext opened under another context fails", async () => {
    const { seal, open } = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    const sealed = seal("private key bytes", "signing-key:sk_1");
    expect(() => open(sealed, "signing-key:sk_2")).toThrow();
    expect(() => open(sealed, "")).toThrow();
  });

  it("a tampered ciphertext, tag or IV fails", async () => {
    const { seal, open } = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    const sealed = seal("private key bytes", "ctx");
    const [v, iv, tag, body] = sealed.split(".") as [string, string, string, string];
    const flip = (part: string, index = 0) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[index]! ^= 0x01;
      return bytes.toString("base64url");
    };
    expect(() => open([v, iv, tag, flip(body)].join("."), "ctx")).toThrow();
    expect(() => open([v, iv, tag, flip(body, 5)].join("."), "ctx")).toThrow();
    expect(() => open([v, iv, flip(tag), body].join("."), "ctx")).toThrow();
    expect(() => open([v, flip(iv), tag, body].join("."), "ctx")).toThrow();
    expect(() => open([v, iv, tag, body.slice(0, -2)].join("."), "ctx")).toThrow();
    expect(() => open([v, iv, tag.slice(0, 8), body].join("."), "ctx")).toThrow();
    // The untouched value still opens.
    expect(open(sealed, "ctx").toString()).toBe("private key bytes");
  });

  it("refuses malformed values", async () => {
    const { seal, open } = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    const [, iv, tag, body] = seal("x", "ctx").split(".");
    expect(() => open(["v2", iv, tag, body].join("."), "ctx")).toThrow(/Unreadable sealed value/);
    expect(() => open("v1.only", "ctx")).toThrow(/Unreadable sealed value/);
    expect(() => open("", "ctx")).toThrow(/Unreadable sealed value/);
  });

  it("a value sealed under one master key does not open under another", async () => {
    const first = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    const sealed = first.seal("secret", "ctx");
    const second = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_B });
    expect(() => second.open(sealed, "ctx")).toThrow();
    const again = await loadSecretBox({ LEDGIX_MASTER_KEY: KEY_A });
    expect(again.open(sealed, "ctx").toString()).toBe("secret");
  });

  it("without LEDGIX_MASTER_KEY, a development key is created once in the data dir (mode 0600) and reused", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-secret-box-"));
    tempDirs.push(dir);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const first = await loadSecretBox({ LEDGIX_DATA_DIR: dir });
      const sealed = first.seal("dev secret", "ctx");
      const file = path.join(dir, "master.key");
      expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64")).toHaveLength(32);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const second = await loadSecretBox({ LEDGIX_DATA_DIR: dir });
      expect(second.open(sealed, "ctx").toString()).toBe("dev secret");
    } finally {
      warn.mockRestore();
    }
  });
});
