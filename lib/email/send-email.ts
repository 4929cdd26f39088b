import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { Resend } from "resend";
import { env } from "@/lib/env";

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends through Resend when RESEND_API_KEY is set (RESEND_BASE_URL points the SDK
 * elsewhere, e.g. at a test server); otherwise writes the message to the development
 * outbox, `<data dir>/outbox/`, and says so on the console.
 */
/** Where emails go while RESEND_API_KEY is unset: `<data dir>/outbox`. */
export const outboxDir = () => path.join(env().dataDir, "outbox");

/**
 * `tenantId`: the tenant (or, for a sign-in link, every tenant of the person) whose
 * Notifications screen lists the message in the development outbox.
 */
export async function sendEmail(email: Email, options: { idempotencyKey?: string; tenantId?: string | string[] } = {}): Promise<{ delivered: "resend" | "outbox"; id: string }> {
  const apiKey = process.env.RESEND_API_KEY;
  if (apiKey) {
    // The idempotency key makes a retried send (a job re-run after a crash) deliver once.
    const { data, error } = await new Resend(apiKey).emails.send({ from: emailFrom(), ...email }, { idempotencyKey: options.idempotencyKey });
    if (error) throw new Error(`Resend refused the email: ${error.message}`);
    return { delivered: "resend", id: data!.id };
  }
  const dir = outboxDir();
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Time first, so names sort by age; random next, so two emails to one person in one millisecond
  // are two files, not one overwriting the other.
  const id = `${Date.now()}-${randomBytes(4).toString("hex")}-${email.to.replace(/[^a-z0-9@.-]/gi, "_")}`;
  // Written aside, then renamed: a reader (the Notifications screen, a test) never sees half a file.
  const file = path.join(dir, `${id}.json`);
  await fs.writeFile(`${file}.partial`, JSON.stringify({ from: emailFrom(), ...email, tenantIds: [options.tenantId ?? []].flat() }, null, 2), { mode: 0o600 });
  await fs.rename(`${file}.partial`, file);
  console.log(`ledgix: RESEND_API_KEY is unset; email "${email.subject}" to ${email.to} written to ${dir}/${id}.json`);
  return { delivered: "outbox", id };
}

const emailFrom = () => process.env.LEDGIX_EMAIL_FROM ?? "Ledgix <ledgix@localhost>";
