"""Ledger helpers against a real ledger: a decision's proof bundle, the whole log, proofs."""

from __future__ import annotations

import time

import pytest

from ledgix_python import LedgerProofBundle, LedgixClient, VaultStatusError

from .conftest import config_for, refund
from .vault_server import Tenant, VaultServer


def bundle_when_integrated(client: LedgixClient, request_id: str) -> LedgerProofBundle:
    deadline = time.monotonic() + 30
    while True:
        try:
            return client.fetch_ledger_proof_bundle(request_id)
        except VaultStatusError as error:
            if error.code != "not_yet_integrated" or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_proof_bundle_of_a_real_decision(vault: VaultServer) -> None:
    tenant: Tenant = vault.new_tenant()
    with LedgixClient(config_for(vault, tenant)) as client:
        first = client.request_clearance(refund(10)).request_id
        bundle = bundle_when_integrated(client, first)
        assert bundle.event.request_id == first and bundle.keys
        for amount in (11, 12):  # grow the tree so a later checkpoint extends the first
            client.request_clearance(refund(amount))
        deadline = time.monotonic() + 30
        while bundle.consistency is None and time.monotonic() < deadline:
            time.sleep(0.3)
            bundle = client.fetch_ledger_proof_bundle(first)
        assert bundle.consistency is not None

        result = client.verify_ledger_proof_bundle(bundle)
        assert result.intact, result.error
        assert (result.verified_entries, result.verified_checkpoints) == (1, 2)

        tampered = bundle.model_copy(deep=True)
        tampered.event.tool_args["amount"] = 9
        broken = client.verify_ledger_proof_bundle(tampered)
        assert (broken.intact, broken.failed_check) == (False, "event_hash")

        inclusion = client.fetch_ledger_inclusion_proof(first)
        assert inclusion.request_id == first and inclusion.tree_size == inclusion.checkpoint.tree_size
        checkpoints = sorted(c.checkpoint_id for c in client.fetch_ledger_checkpoints())
        consistency = client.fetch_ledger_consistency_proof(checkpoints[0], checkpoints[-1])
        assert consistency.to_checkpoint.checkpoint_id == checkpoints[-1]

        last = client.request_clearance(refund(13)).request_id
        bundle_when_integrated(client, last)
        log = client.verify_ledger_proof()
        assert log.intact, log.error
        assert log.verified_entries == 4 and log.coverage_note is None


def test_unknown_request_has_no_proof(vault: VaultServer, tenant: Tenant) -> None:
    with LedgixClient(config_for(vault, tenant)) as client, pytest.raises(VaultStatusError) as raised:
        client.fetch_ledger_proof_bundle("req_does_not_exist")
    assert raised.value.status_code == 404
