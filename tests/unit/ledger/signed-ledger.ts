// A small ledger signed with the vector key: 11 entries, checkpoints at sizes 3, 8 and 11, and
// proof bundles for the first three entries (inclusion in size 3, consistency to size 11), built
// with the vault's own signing and proof code.
import { createHash } from "node:crypto";
import { consistencyPath, inclusionPath } from "@/lib/ledger/merkle";
import { signCheckpoint, signReceipt } from "@/lib/ledger/sign";
import { eventHash, leafHash } from "@/sdk/typescript/src/ledger/hashes";
import { inMemorySubtreeRoot, rootHash } from "@/sdk/typescript/src/ledger/merkle";
import { eventPayload } from "@/sdk/typescript/src/ledger/payloads";
import type { Checkpoint, LedgerEntry, ProofBundle } from "@/sdk/typescript/src/ledger/types";
import { loadVectors, privateKeyFromSeed } from "./vectors";

export async function signedLedger(): Promise<{ entries: LedgerEntry[]; checkpoints: Checkpoint[]; bundles: ProofBundle[] }> {
  const v = loadVectors();
  const privateKey = privateKeyFromSeed(v.key.seed);
  const kid = v.key.jwk.kid;
  const entries: LedgerEntry[] = Array.from({ length: 11 }, (_, i) => {
    const fields = {
      ...v.B,
      seq: i + 1,
      event_uuid: `uuid-${i}`,
      request_id: `req_${i}`,
      intent_hash: createHash("sha256").update(`intent-${i}`).digest("hex"),
      leaf_index: i,
    };
    const event_hash = eventHash(eventPayload(fields));
    const leaf_hash = leafHash(event_hash);
    return { ...fields, event_hash, leaf_hash, ...signReceipt({ ...fields, event_hash, leaf_hash }, kid, privateKey) };
  });
  const leaves = entries.map((e) => e.leaf_hash);
  const checkpoints: Checkpoint[] = [];
  for (const [id, size] of [3, 8, 11].entries()) {
    const fields = {
      tree_size: size,
      root_hash: rootHash(leaves.slice(0, size)),
      signed_at: `2026-03-15T12:0${id}:00Z`,
      mmd_seconds: 30,
      export_target: "",
      prev_checkpoint_hash: checkpoints.at(-1)?.checkpoint_hash ?? "",
    };
    checkpoints.push({
      ...fields,
      ...signCheckpoint(fields, kid, privateKey),
      checkpoint_id: id + 1,
      microblock_id: id + 1,
      export_uri: "",
      export_status: "",
    });
  }

  const [cp3, , cp11] = checkpoints as [Checkpoint, Checkpoint, Checkpoint];
  const bundles: ProofBundle[] = [];
  for (const event of entries.slice(0, 3)) {
    bundles.push({
      event,
      inclusion: {
        event_uuid: event.event_uuid,
        request_id: event.request_id,
        event_hash: event.event_hash,
        leaf_hash: event.leaf_hash,
        leaf_index: event.leaf_index!,
        tree_size: cp3.tree_size,
        path: await inclusionPath(event.leaf_index!, cp3.tree_size, inMemorySubtreeRoot(leaves.slice(0, 3))),
        checkpoint: cp3,
      },
      consistency: {
        from_checkpoint: cp3,
        to_checkpoint: cp11,
        path: await consistencyPath(3, 11, inMemorySubtreeRoot(leaves)),
      },
      keys: v.bundle.keys,
    });
  }
  return { entries, checkpoints, bundles };
}
