// @database-kind: both — the sequencer's advisory lock and LISTEN wake-up, and the proof queries.
import { describe, expect, inject, it } from "vitest";
import { verifyConsistency, verifyInclusion } from "@/sdk/typescript/src/ledger/merkle";
import type { Checkpoint, LedgerEntry } from "@/sdk/typescript/src/ledger/types";
import { keysFromJwks, verifyBundle, verifyLedger } from "@/sdk/typescript/src/ledger/verify";
import { cliOk } from "../fixtures/cli";
import { bundleOf, waitForTreeSize } from "../fixtures/ledger";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const ledgerOf = async (tenant: TestTenant) => {
  const { entries } = (await (await tenant.call("/api/ledger?limit=500")).json()) as { entries: LedgerEntry[] };
  const { checkpoints } = (await (await tenant.call("/api/ledger/checkpoints?limit=500")).json()) as { checkpoints: Checkpoint[] };
  return { entries, checkpoints };
};

describe.each(inject("servers"))("the ledger on the $kind database", (server) => {
  const jwksKeys = async () => keysFromJwks((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).keys);

  it("records every terminal decision, and only those, as verifiable entries", async () => {
    const tenant = await createTenant(server);
    const approved = await (await tenant.post("/api/clearance", refund(45))).json();
    const denied = await (await tenant.post("/api/clearance", refund(5000))).json();
    const pending = await (await tenant.post("/api/clearance", refund(500))).json();
    const stillPending = await (await tenant.post("/api/clearance", refund(600))).json();
    await cliOk(["review", "decide", pending.request_id, "--approve"], server.env);

    const bundle = await bundleOf(tenant, pending.request_id);
    expect(bundle.event).toMatchObject({ request_id: pending.request_id, approved: true, canonical_version: 1, receipt_algorithm: "Ed25519" });
    const result = verifyBundle(bundle);
    expect(result.ok, JSON.stringify(result)).toBe(true);

    const noEntry = await tenant.call(`/api/ledger/proof/bundle?request_id=${stillPending.request_id}`);
    expect(noEntry.status).toBe(404);
    expect((await noEntry.json()).error.code).toBe("ledger_entry_not_found");

    await bundleOf(tenant, approved.request_id);
    await bundleOf(tenant, denied.request_id);
    const { entries, checkpoints } = await ledgerOf(tenant);
    expect(entries.map((e) => e.request_id).sort()).toEqual([approved.request_id, denied.request_id, pending.request_id].sort());
    expect(entries.find((e) => e.request_id === denied.request_id)).toMatchObject({ approved: false, confidence: 0.95, reason: "Refunds above 1,000 USD are never automated" });
    expect(entries.every((e) => e.confidence !== 0 && e.confidence !== 1)).toBe(true);
    const listed = verifyLedger(entries, checkpoints, await jwksKeys());
    expect(listed.ok, JSON.stringify(listed)).toBe(true);
    if (listed.ok) expect(listed.checks.some((c) => c.check === "root_coverage" && c.status === "passed")).toBe(true);
  });

  it("serves inclusion and consistency proofs that verify against the checkpoints", async () => {
    const tenant = await createTenant(server);
    const first = await (await tenant.post("/api/clearance", refund(10))).json();
    const firstBundle = await bundleOf(tenant, first.request_id);
    for (let i = 0; i < 6; i++) await tenant.post("/api/clearance", refund(11 + i));
    await expect.poll(async () => (await ledgerOf(tenant)).checkpoints.at(-1)?.tree_size, { timeout: 10_000 }).toBe(7);
    const { checkpoints } = await ledgerOf(tenant);
    const latest = checkpoints.at(-1)!;
    const genesis = checkpoints[0]!;
    expect(genesis).toMatchObject({ checkpoint_id: 1, prev_checkpoint_hash: "", tree_size: 1 });

    const inclusion = await (await tenant.call(`/api/ledger/proof/inclusion?request_id=${first.request_id}`)).json();
    expect(inclusion).toMatchObject({ leaf_index: 0, tree_size: latest.tree_size, checkpoint: { checkpoint_id: latest.checkpoint_id } });
    verifyInclusion(inclusion.leaf_index, inclusion.tree_size, inclusion.leaf_hash, inclusion.path, latest.root_hash);

    const consistency = await (await tenant.call(`/api/ledger/proof/consistency?from=${genesis.checkpoint_id}&to=${latest.checkpoint_id}`)).json();
    verifyConsistency(genesis.tree_size, latest.tree_size, genesis.root_hash, latest.root_hash, consistency.path);
    const same = await (await tenant.call(`/api/ledger/proof/consistency?from=${latest.checkpoint_id}&to=${latest.checkpoint_id}`)).json();
    expect(same.path).toEqual([]);

    // The first bundle, fetched again now, proves the entry in the latest tree too.
    const later = await bundleOf(tenant, first.request_id);
    expect(later.consistency.to_checkpoint.checkpoint_id).toBe(latest.checkpoint_id);
    expect(later.inclusion.checkpoint).toEqual(firstBundle.inclusion.checkpoint);
    expect(verifyBundle(later).ok).toBe(true);
  });

  it("lists the most recent entries and checkpoints in chain order, the newest last", async () => {
    const tenant = await createTenant(server);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await (await tenant.post("/api/clearance", refund(21 + i))).json()).request_id);
      await waitForTreeSize(tenant, i + 1);
    }
    const { entries, checkpoints } = await ledgerOf(tenant);
    expect(entries.map((e) => e.request_id)).toEqual(ids);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((e) => e.seq).sort((a, b) => a - b));
    const checkpointIds = checkpoints.map((c) => c.checkpoint_id);
    expect(checkpointIds).toEqual([...checkpointIds].sort((a, b) => a - b));
    expect(checkpoints.at(-1)!.tree_size).toBe(4);

    const recent = (await (await tenant.call("/api/ledger?limit=2")).json()).entries as LedgerEntry[];
    expect(recent.map((e) => e.request_id)).toEqual(ids.slice(2));
    const older = (await (await tenant.call(`/api/ledger?limit=2&before=${recent[0]!.seq}`)).json()).entries as LedgerEntry[];
    expect(older.map((e) => e.request_id)).toEqual(ids.slice(0, 2));
    const lastTwo = (await (await tenant.call("/api/ledger/checkpoints?limit=2")).json()).checkpoints as Checkpoint[];
    expect(lastTwo.map((c) => c.checkpoint_id)).toEqual(checkpointIds.slice(-2));

    // What the public TS client does with the list: a proof from the first to the last.
    const [first, last] = [checkpoints[0]!, checkpoints.at(-1)!];
    const forward = await tenant.call(`/api/ledger/proof/consistency?from=${first.checkpoint_id}&to=${last.checkpoint_id}`);
    expect(forward.status).toBe(200);
    verifyConsistency(first.tree_size, last.tree_size, first.root_hash, last.root_hash, (await forward.json()).path);
    const backward = await tenant.call(`/api/ledger/proof/consistency?from=${last.checkpoint_id}&to=${first.checkpoint_id}`);
    expect(backward.status).toBe(400);
    const { error } = await backward.json();
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(new RegExp(`from\\W+\\(checkpoint ${last.checkpoint_id}\\) is newer than .to. \\(checkpoint ${first.checkpoint_id}\\)`));
  });

  it("writes the layout each tenant chose; our verifier checks versions 2 and 3", async () => {
    for (const version of [2, 3]) {
      const tenant = await createTenant(server);
      await cliOk(["tenant", "settings", tenant.name, "--ledger-canonical-version", String(version)], server.env);
      const answer = await (await tenant.post("/api/clearance", refund(20))).json();
      const bundle = await bundleOf(tenant, answer.request_id);
      expect(bundle.event).toMatchObject({ canonical_version: version, decision_status: "approved", confidence_bucket: "extra_high" });
      if (version === 3) expect(bundle.event).toMatchObject({ matched_rule_ids: ["refund-small"], rule_set_hash: answer.policy_content_hash });
      expect(verifyBundle(bundle).ok).toBe(true);
    }
  });

  it("answers bad ledger queries with clear errors and keeps tenants' ledgers apart", async () => {
    const [alice, bob] = await Promise.all([createTenant(server), createTenant(server)]);
    const theirs = await (await alice.post("/api/clearance", refund(10))).json();
    await bundleOf(alice, theirs.request_id);
    const cases: [string, number, string][] = [
      [`/api/ledger/proof/bundle?request_id=${theirs.request_id}`, 404, "request_not_found"],
      ["/api/ledger/proof/inclusion", 400, "invalid_request"],
      ["/api/ledger/proof/consistency?from=1", 400, "invalid_request"],
      ["/api/ledger/proof/consistency?from=x&to=1", 400, "invalid_request"],
      ["/api/ledger/proof/consistency?from=1&to=999", 404, "checkpoint_not_found"],
      ["/api/ledger?limit=abc", 400, "invalid_request"],
    ];
    for (const [path, status, code] of cases) {
      const res = await bob.call(path);
      expect.soft(res.status, path).toBe(status);
      expect.soft((await res.json()).error.code, path).toBe(code);
    }
    expect((await (await bob.call("/api/ledger")).json()).entries).toEqual([]);
    expect((await (await bob.call("/api/ledger/checkpoints")).json()).checkpoints).toEqual([]);
    expect((await (await alice.call("/api/ledger?limit=0")).json()).entries).toHaveLength(1);
  });
});
