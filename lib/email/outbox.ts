import fs from "node:fs/promises";
import path from "node:path";
import { normalIdentity } from "@/lib/identity";
import { outboxDir } from "./send-email";

export interface OutboxEmail {
  id: string;
  to: string;
  subject: string;
  /** The body, for its own recipient only: a review or sign-in link in it is that person's credential. */
  text: string | null;
  writtenAt: Date;
}

/**
 * One tenant's newest messages in the development outbox (what sendEmail wrote while
 * RESEND_API_KEY is unset), as `reader` may see them: every message listed, the bodies of
 * their own (issue 19, finding 8: an admin could read and vote with every reviewer's link).
 */
export async function listOutbox(tenantId: string, reader: string, limit = 20): Promise<OutboxEmail[]> {
  const dir = outboxDir();
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  // Newest first; a bounded number of files is read, then those of other tenants dropped.
  const newest = names.filter((n) => n.endsWith(".json")).sort().reverse().slice(0, limit * 10);
  const emails = await Promise.all(newest.map(async (name) => {
    const file = path.join(dir, name);
    const [content, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    // `tenantId` is how messages written before sign-in links were listed named their one tenant.
    const email = JSON.parse(content) as { to: string; subject: string; text: string; tenantId?: string; tenantIds?: string[] };
    if (!(email.tenantIds ?? [email.tenantId]).includes(tenantId)) return [];
    const own = normalIdentity(email.to) === normalIdentity(reader);
    return [{ id: name.replace(/\.json$/, ""), to: email.to, subject: email.subject, text: own ? email.text : null, writtenAt: stat.mtime }];
  }));
  return emails.flat().slice(0, limit);
}

/** True while emails go to the outbox instead of Resend. */
export const usesOutbox = () => !process.env.RESEND_API_KEY;
