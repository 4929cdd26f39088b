import { execute, Prisma, type PrismaClient } from "@/lib/db";
import type { SecurityEvent } from "./events";

const json = (event: SecurityEvent) => JSON.stringify(event.data);

/**
 * The statement that appends a security event to the audit stream: to its tenant's events
 * when `tenantId` is known, else to the instance's. Run it in the transaction of the change
 * it records, if any.
 */
export const auditEventStatement = (event: SecurityEvent, tenantId?: string) =>
  tenantId
    ? Prisma.sql`INSERT INTO "audit_events" ("tenantId", "kind", "data") VALUES (${tenantId}, ${event.kind}, ${json(event)}::jsonb)`
    : Prisma.sql`INSERT INTO "instance_audit_events" ("kind", "data") VALUES (${event.kind}, ${json(event)}::jsonb)`;

/** Appends a security event that records a refusal (which changes nothing else) on its own. */
export async function recordAuditEvent(prisma: PrismaClient, event: SecurityEvent, tenantId?: string): Promise<void> {
  await execute(prisma, auditEventStatement(event, tenantId));
}

/**
 * A failed authentication with an API key: the key's tenant's event when the key id names
 * an existing key (someone holds its id), else the instance's. One statement.
 */
export async function recordFailedKeyAuthentication(prisma: PrismaClient, event: Extract<SecurityEvent, { data: { method: "api_key" } }>): Promise<void> {
  const keyId = event.data.key_id;
  await execute(prisma, Prisma.sql`
    WITH key AS (SELECT "tenantId" FROM "api_keys" WHERE "id" = ${keyId}),
    owned AS (INSERT INTO "audit_events" ("tenantId", "kind", "data") SELECT "tenantId", ${event.kind}, ${json(event)}::jsonb FROM key)
    INSERT INTO "instance_audit_events" ("kind", "data") SELECT ${event.kind}, ${json(event)}::jsonb WHERE NOT EXISTS (SELECT 1 FROM key)`);
}

/** Who runs operator commands (the CLI), as the audit stream names them. */
export const OPERATOR = "operator:cli";

/**
 * The statement that names who makes the changes that follow in the same transaction; the
 * migration's triggers put it in their events (`actor`). "person:<email>", "operator:cli".
 */
export const actorStatement = (actor: string) => Prisma.sql`SELECT set_config('ledgix.actor', ${actor}, true)`;
