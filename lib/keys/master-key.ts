import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

let cached: Buffer | undefined;

/**
 * The key that encrypts secrets at rest. Production sets LEDGIX_MASTER_KEY; without it
 * a development key is generated once and kept in the data directory (mode 0600).
 */
export function masterKey(): Buffer {
  if (cached) return cached;
  const { LEDGIX_MASTER_KEY, dataDir } = env();
  if (LEDGIX_MASTER_KEY) return (cached = Buffer.from(LEDGIX_MASTER_KEY, "base64"));
  const file = path.join(dataDir, "master.key");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(32).toString("base64"), { flag: "wx", mode: 0o600 });
    console.warn(`ledgix: generated a development master key in ${file}; set LEDGIX_MASTER_KEY in production.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return (cached = Buffer.from(fs.readFileSync(/*turbopackIgnore: true*/ file, "utf8").trim(), "base64"));
}
