import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { normalIdentity } from "@/lib/identity";

export const emailSchema = z.string().transform(normalIdentity).pipe(z.email().max(254));
export const passwordSchema = z.string().min(12, "must be at least 12 characters").max(256);

// argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's minimum profile);
// the PHC string carries the parameters, so raising them later keeps old hashes valid.
export const hashPassword = (password: string) => hash(password);

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

// Verifying against this when the email is unknown keeps the response time the same,
// so timing does not tell which addresses have accounts.
let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hashPassword("ledgix-dummy-password"));
