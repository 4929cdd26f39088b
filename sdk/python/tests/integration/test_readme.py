"""Every Python sample of sdk/python/README.md runs against the real server. Blocks whose
first line is `# file: <name>` are written to the sample's working directory (the manifest
and the tools module of the quick start); every other Python block runs as a program there."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .vault_server import Tenant, VaultServer

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^## ([^\n]+)$|^```(\w+)\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Block:
    section: str
    number: int
    language: str
    code: str

    @property
    def filename(self) -> str | None:
        first = self.code.splitlines()[0]
        return first.removeprefix("# file: ").strip() if first.startswith("# file: ") else None


def blocks() -> list[Block]:
    found: list[Block] = []
    section, number = "", 0
    for match in FENCE.finditer(README.read_text()):
        if match.group(1):
            section, number = match.group(1), 0
        else:
            number += 1
            found.append(Block(section, number, match.group(2), match.group(3)))
    return found


FILES = [b for b in blocks() if b.filename]
PROGRAMS = [b for b in blocks() if b.language == "python" and not b.filename]

# What each program prints that shows it did what the README says.
EXPECTED = {
    ("Quick start: a manifest", 3): ["refunded 45 USD", "denied: Refunds above 1,000 USD", "{'order_id': 'o-1'}"],
    ("Escape hatch: decorators", 1): ["refund with token ", "req_", "\nNone"],
    ("Explicit client", 1): ["approved True req_", "stripe_refund "],
    ("Async", 1): ["True\nTrue"],
    ("Status handling", 1): ["waiting for a person: req_", "review_cancelled_by_agent"],
    ("When a reviewer edits the call", 1): ["refunded 300 USD (edited: True)"],
    ("Adapters", 1): ["refunded 45"],
    ("Adapters", 2): ["refunded 45"],
    ("Adapters", 3): ["refunded 45", "BLOCKED"],
    ("Verification helpers", 1): ["True None\nTrue\nTrue\nTrue"],
    ("Webhooks", 1): ["clearance.approved\nreplayed"],
    ("Exceptions", 2): ["not run: VaultConnectionError"],
    ("Context manager", 1): ["True True"],
    ("Configuration", 1): [],
}


def test_the_readme_keeps_its_samples() -> None:
    assert {b.filename for b in FILES} == {"ledgix.yaml", "tools.py"}
    assert {(b.section, b.number) for b in PROGRAMS} == set(EXPECTED)


@pytest.mark.parametrize("block", PROGRAMS, ids=lambda b: f"{b.section}-{b.number}")
def test_readme_sample_runs(block: Block, vault: VaultServer, tenant: Tenant, tmp_path: Path) -> None:
    for file in FILES:
        (tmp_path / str(file.filename)).write_text(file.code)
    (tmp_path / "sample.py").write_text(block.code)
    env = {name: value for name, value in os.environ.items() if not name.startswith("LEDGIX_")}
    env.update(
        LEDGIX_VAULT_URL=vault.api_url,
        LEDGIX_VAULT_API_KEY=tenant.key,
        LEDGIX_REVIEW_POLL_INTERVAL="0.2",
        LEDGIX_REVIEW_TIMEOUT="30",
        PYTHONPATH=str(tmp_path),
    )
    editor = _edit_the_refund_of_750(vault, tenant) if block.section == "When a reviewer edits the call" else None
    done = subprocess.run(
        [sys.executable, "sample.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if editor is not None:
        editor.join()
    assert done.returncode == 0, f"{block.section} sample {block.number} failed:\n{done.stdout}\n{done.stderr}"
    for expected in EXPECTED[(block.section, block.number)]:
        assert expected in done.stdout, f"{expected!r} not in the output:\n{done.stdout}"


def _edit_the_refund_of_750(vault: VaultServer, tenant: Tenant) -> threading.Thread:
    """The reviewer of "When a reviewer edits the call": edits the pending refund of 750 down
    to 300 with `ledgix review decide --as --args`, then approves it."""
    reviewer = "rex@py-readme.test"
    vault.command("member.add", tenant=tenant.name, email=reviewer, role="reviewer")

    def edit() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pending = vault.command("review.list", tenant=tenant.name)
            found = [r["id"] for r in pending if r["toolArgs"].get("amount") == 750]
            if found:
                edited = json.dumps({"amount": 300, "currency": "USD"})
                vault.cli("review", "decide", found[0], "--approve", "--as", reviewer, "--args", edited)
                return
            time.sleep(0.2)

    thread = threading.Thread(target=edit)
    thread.start()
    return thread
