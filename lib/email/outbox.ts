import fs from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";

export interface OutboxEmail {
  id: string;
  to: string;
  subject: string;
  text: string;
  writtenAt: Date;
}

/** One tenant's newest messages in the development outbox (what sendEmail wrote while RESEND_API_KEY is unset). */
export async function listOutbox(tenantId: string, limit = 20): Promise<OutboxEmail[]> {
  const dir = path.join(env().dataDir, "outbox");
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  // Newest first; a bounded number of files is read, then those of other tenants dropped.
  const newest = names.filter((n) => n.endsWith(".json")).sort().reverse().slice(0, limit * 10);
  const emails = await Promise.all(newest.map(async (name) => {
    const file = path.join(dir, name);
    const [content, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    const email = JSON.parse(content) as { to: string; subject: string; text: string; tenantId?: string };
    return email.tenantId === tenantId ? [{ id: name.replace(/\.json$/, ""), to: email.to, subject: email.subject, text: email.text, writtenAt: stat.mtime }] : [];
  }));
  return emails.flat().slice(0, limit);
}

/** True while emails go to the outbox instead of Resend. */
export const usesOutbox = () => !process.env.RESEND_API_KEY;
