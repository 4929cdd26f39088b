"""Code written against the public ledgix-python 0.4 runs unchanged on this SDK: the
repository's compatibility driver (tests/compat/public_python_sdk.py, which uses only 0.4's
public API) runs every scenario with this package instead of the PyPI one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from ledgix_python import LedgixClient, VaultStatusError

from .conftest import config_for, refund
from .vault_server import ROOT, Tenant, VaultServer

DRIVER = ROOT / "tests" / "compat" / "public_python_sdk.py"


def drive(vault: VaultServer, tenant: Tenant, *args: str) -> dict[str, Any]:
    """Runs one scenario; approves with the CLI whatever it announces as `PENDING <id>`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LEDGIX_")}
    env.update(LEDGIX_VAULT_URL=vault.api_url, LEDGIX_VAULT_API_KEY=tenant.key)
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    errors: list[str] = []

    def approve_pending() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            errors.append(line)
            if line.startswith("PENDING "):
                vault.cli("review", "decide", line.split()[1], "--approve")

    reader = threading.Thread(target=approve_pending)
    reader.start()
    assert process.stdout is not None
    stdout = process.stdout.read()  # not communicate(): the reader thread owns stderr
    process.wait(timeout=180)
    reader.join()
    assert process.returncode == 0, "".join(errors)
    result: dict[str, Any] = json.loads(stdout)
    return result


def test_approve_deny_and_tokens(vault: VaultServer, tenant: Tenant) -> None:
    approved = drive(vault, tenant, "approve")
    assert approved["decision_status"] == "approved" and approved["has_token"]
    assert approved["token_verified_by_sdk"] is True and approved["claims"]["sub"] == "clearance"
    denied = drive(vault, tenant, "deny")
    assert denied["raised"] == "ClearanceDeniedError" and denied["request_id"]
    replay = drive(vault, tenant, "replay")
    assert replay["second"]["raised"] == "ReplayDetectedError" and replay["second"]["is_token_verification_error"]


@pytest.mark.parametrize("scenario", ["review-block", "review-detach", "review-cancel"])
def test_reviews(vault: VaultServer, tenant: Tenant, scenario: str) -> None:
    result = drive(vault, tenant, scenario)
    if scenario == "review-cancel":
        assert result["after_cancel"]["raised"] == "ClearanceDeniedError"
        assert len(result["cancel_calls"]) == 1
    else:
        assert result["decision_status"] == "approved" and result["has_token"]
        assert result["claims"]["request_id"]
    if scenario == "review-block":
        assert result["polls"] >= 1 and result["token_verified_by_sdk"] is True
    if scenario == "review-detach":
        assert result["token_verified_by_wait"] is False  # as in 0.4: the caller verifies


def test_policy_registration_and_mint(vault: VaultServer, tenant: Tenant) -> None:
    # The mint is the approval's second token (the default allowance is one).
    vault.cli("tenant", "settings", tenant.name, "--token-max-per-approval", "2")
    registered = drive(vault, tenant, "register-policy", "compat-py")
    assert registered["first"]["policy_id"] == registered["again"]["policy_id"] == "compat-py"
    minted = drive(vault, tenant, "mint")
    assert [c.split()[1] for c in minted["calls"]] == ["/api/request-clearance", "/api/mint-token"]
    assert minted["second_token_verified_by_sdk"] is True
    assert minted["first_claims"]["jti"] != minted["second_claims"]["jti"]


def integrated(client: LedgixClient, request_id: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            client.fetch_ledger_proof_bundle(request_id)
            return
        except VaultStatusError as error:
            assert error.code == "not_yet_integrated" and time.monotonic() < deadline
        time.sleep(0.3)


def test_ledger_verification(vault: VaultServer) -> None:
    tenant = vault.new_tenant()
    with LedgixClient(config_for(vault, tenant)) as client:
        # Two decisions in two checkpoints, so the driver also fetches a real consistency proof.
        request_id = client.request_clearance(refund(33)).request_id
        integrated(client, request_id)
        integrated(client, client.request_clearance(refund(34)).request_id)
    result = drive(vault, tenant, "ledger", request_id)
    assert result["intact"] is True, result["error"]
    assert result["bundles"][request_id]["intact"] is True
    assert result["untampered"]["intact"] is True
    assert result["tampered"]["intact"] is False
