import type pg from "pg";
import type { PrismaClient } from "@/lib/db";
import { listen } from "@/lib/db/listen";
import { Prisma } from "@/lib/db/generated/client";
import { activeSigningKey, type ActiveSigningKey } from "@/lib/keys/signing-keys";
import { appendLeaves, frontierPositions, frontierRoot, type TreeNode } from "./compact-range";
import { signCheckpoint } from "./sign";
import { enqueueCosigning } from "./witnesses";

export interface SequencerOptions {
  /** Most leaves integrated per transaction. */
  batchSize: number;
  /** A checkpoint is signed when new leaves exist and the last one is at least this old. */
  checkpointIntervalMs: number;
  /** Maximum merge delay promised in every checkpoint. */
  mmdSeconds: number;
}

export interface Integration {
  integrated: number;
  size: number;
  checkpointId?: number;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function loadFrontier(tx: Prisma.TransactionClient, tenantId: string, size: number): Promise<TreeNode[]> {
  const positions = frontierPositions(size);
  if (positions.length === 0) return [];
  const rows = await tx.ledgerNode.findMany({
    where: { tenantId, OR: positions.map(({ level, index }) => ({ level, index: BigInt(index) })) },
  });
  const byPosition = new Map(rows.map((row) => [`${row.level}:${row.index}`, hex(row.hash)]));
  return positions.map(({ level, index }) => {
    const hash = byPosition.get(`${level}:${index}`);
    if (!hash) throw new Error(`ledger of ${tenantId}: stored node ${level}:${index} is missing`);
    return { level, index, hash };
  });
}

/**
 * Integrates a batch of a tenant's new events into its Merkle tree and, when due, signs a
 * checkpoint — all in one transaction under the tenant's advisory lock, so one sequencer
 * at a time works on a tree however many instances run. Returns null if another holds it.
 */
export async function integrateTenant(
  prisma: PrismaClient,
  tenantId: string,
  options: SequencerOptions,
  signer?: ActiveSigningKey,
): Promise<Integration | null> {
  const key = signer ?? (await activeSigningKey(prisma, "ledger"));
  return prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${`ledger:${tenantId}`}, 0)) AS locked`;
      if (!lock?.locked) return null;
      const tree = await tx.ledgerTree.findUnique({ where: { tenantId } });
      const size = Number(tree?.size ?? 0);
      // Claims the oldest unintegrated events and numbers them in seq order, in one statement.
      // Every candidate's leafIndex is null, so ordering by it first changes nothing but lets the
      // (tenantId, leafIndex, seq) index hand them over already sorted.
      const claimed = await tx.$queryRaw<{ leafIndex: bigint; leafHash: string }[]>`
        WITH batch AS (
          SELECT "seq", row_number() OVER (ORDER BY "seq") - 1 AS n
          FROM (
            SELECT "seq" FROM "ledger_events"
            WHERE "tenantId" = ${tenantId} AND "leafIndex" IS NULL
            ORDER BY "leafIndex", "seq" LIMIT ${options.batchSize}
          ) AS oldest
        )
        UPDATE "ledger_events" AS e SET "leafIndex" = ${BigInt(size)} + batch.n
        FROM batch WHERE e."seq" = batch."seq"
        RETURNING e."leafIndex", e."leafHash"`;
      const batch = claimed.map((e) => ({ index: Number(e.leafIndex), leafHash: e.leafHash })).sort((a, b) => a.index - b.index);
      let newSize = size;
      if (batch.length > 0) {
        const { created, frontier } = appendLeaves(await loadFrontier(tx, tenantId, size), size, batch.map((e) => e.leafHash));
        newSize = size + batch.length;
        await tx.$executeRaw`
          INSERT INTO "ledger_nodes" ("tenantId", "level", "index", "hash")
          SELECT ${tenantId}, level, idx, decode(h, 'hex')
          FROM unnest(${created.map((n) => n.level)}::int[], ${created.map((n) => n.index)}::bigint[], ${created.map((n) => n.hash)}::text[]) AS t(level, idx, h)`;
        const rootHash = frontierRoot(frontier);
        await tx.ledgerTree.upsert({
          where: { tenantId },
          create: { tenantId, size: newSize, rootHash },
          update: { size: newSize, rootHash },
        });
      }
      const checkpointId = await checkpointIfDue(tx, tenantId, newSize, options, key);
      return { integrated: batch.length, size: newSize, ...(checkpointId ? { checkpointId } : {}) };
    },
    { timeout: 60_000 },
  );
}

async function checkpointIfDue(
  tx: Prisma.TransactionClient,
  tenantId: string,
  size: number,
  options: SequencerOptions,
  signer: ActiveSigningKey,
): Promise<number | undefined> {
  if (size === 0) return undefined; // decisions §6: never sign an empty tree
  const last = await tx.ledgerCheckpoint.findFirst({ where: { tenantId }, orderBy: { checkpointId: "desc" } });
  if (last && (Number(last.treeSize) >= size || Date.now() - last.createdAt.getTime() < options.checkpointIntervalMs)) return undefined;
  const tree = await tx.ledgerTree.findUniqueOrThrow({ where: { tenantId } });
  const fields = {
    tree_size: size,
    root_hash: tree.rootHash,
    prev_checkpoint_hash: last?.checkpointHash ?? "",
    signed_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    mmd_seconds: options.mmdSeconds,
    export_target: "",
  };
  const signed = signCheckpoint(fields, signer.id, signer.privateKey);
  const checkpointId = (last?.checkpointId ?? 0) + 1;
  await tx.ledgerCheckpoint.create({
    data: {
      tenantId,
      checkpointId,
      treeSize: size,
      rootHash: fields.root_hash,
      prevCheckpointHash: fields.prev_checkpoint_hash,
      checkpointHash: signed.checkpoint_hash,
      signerKeyId: signer.id,
      signedAt: fields.signed_at,
      mmdSeconds: fields.mmd_seconds,
      payload: signed.checkpoint_payload,
      signature: signed.checkpoint_signature,
    },
  });
  // Witnesses are asked after the commit, each by its own job: none can delay the sequencer.
  const witnesses = await tx.ledgerWitness.findMany({ where: { tenantId }, select: { id: true } });
  await enqueueCosigning(tx, tenantId, witnesses.map((w) => w.id));
  return checkpointId;
}

/** Tenants with events not yet in their tree, or leaves not yet under a checkpoint. */
async function tenantsWithWork(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ tenantId: string }[]>`
    SELECT t."id" AS "tenantId" FROM "tenants" t
    WHERE EXISTS (SELECT 1 FROM "ledger_events" e WHERE e."tenantId" = t."id" AND e."leafIndex" IS NULL)
    UNION
    SELECT t."tenantId" FROM "ledger_trees" t
    WHERE t."size" > COALESCE((SELECT max(c."treeSize") FROM "ledger_checkpoints" c WHERE c."tenantId" = t."tenantId"), 0)`;
  return rows.map((row) => row.tenantId);
}

export interface SequencerSchedule {
  /** Safety sweep: runs this often even when no notification arrives (a lost connection, a missed NOTIFY). */
  intervalMs: number;
  /** Where to LISTEN for appended events (the migration's statement-level trigger NOTIFYs). */
  wakeOn?: pg.ClientConfig;
}

const APPENDED_CHANNEL = "ledgix_ledger_appended";
/**
 * How long the sequencer lets appends gather after one wakes it. Woken at each one, it ran a
 * transaction for about every four decisions of a lone agent; 200 ms, nothing beside the MMD
 * and the checkpoint interval, integrates them by the dozen (issue 24).
 */
const APPENDS_SETTLE_MS = 200;

/** Holds a LISTEN connection, reconnecting after a failure; the sweep covers the gap. */
function listenForAppends(connection: pg.ClientConfig, onAppend: () => void, retryMs: number): () => Promise<void> {
  // onListening: catch up on what was appended while we were not listening.
  return listen(connection, APPENDED_CHANNEL, { onNotify: onAppend, onListening: onAppend }, retryMs);
}

/**
 * Runs the sequencer when events are appended (LISTEN/NOTIFY), when a due checkpoint is
 * waiting, and every `intervalMs` as a safety sweep, until the returned function is called.
 */
export function startSequencer(prisma: PrismaClient, options: SequencerOptions & SequencerSchedule): () => Promise<void> {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let soon: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    let pending = false;
    try {
      for (const tenantId of await tenantsWithWork(prisma)) {
        // Integrate a backlog batch by batch until this tenant is caught up.
        for (let r = await integrateTenant(prisma, tenantId, options); r && r.integrated === options.batchSize && !stopped; ) {
          r = await integrateTenant(prisma, tenantId, options);
        }
      }
      // Leaves whose checkpoint was not yet due: come back when it is, not at the next sweep.
      pending = (await tenantsWithWork(prisma)).length > 0;
    } catch (error) {
      console.error("ledgix: sequencer run failed; retrying", error);
    }
    return pending;
  };
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = tick().then((pending) => {
      running = undefined;
      if (stopped) return;
      if (again) {
        again = false;
        wakeSoon();
      } else {
        timer = setTimeout(wake, pending ? Math.max(100, Math.min(options.checkpointIntervalMs, options.intervalMs)) : options.intervalMs);
      }
    });
  };
  const wakeSoon = () => {
    if (stopped || soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      wake();
    }, APPENDS_SETTLE_MS);
  };
  const stopListening = options.wakeOn ? listenForAppends(options.wakeOn, wakeSoon, options.intervalMs) : undefined;
  wake();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(soon);
    await stopListening?.();
    await running;
  };
}
