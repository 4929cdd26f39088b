from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ledgix_python as ledgix
from ledgix_python import instrument

from .fake_vault import FakeVault

PROTOCOL = Path(__file__).resolve().parents[3] / ".." / "shared" / "protocol"


def protocol_file(name: str) -> Any:
    """A file of ../shared/protocol (beside the repository, as CI lays it out)."""
    return json.loads((PROTOCOL / name).read_text())


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No stray LEDGIX_* variable, .env file or global client leaks between tests."""
    import os

    for name in list(os.environ):
        if name.startswith("LEDGIX_") and name != "LEDGIX_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(instrument, "_default_client", None)
    monkeypatch.setattr(instrument, "_manifest", None)
    yield


@pytest.fixture
def fake_vault() -> Iterator[FakeVault]:
    with FakeVault() as vault:
        yield vault


def fast_config(url: str, **overrides: Any) -> ledgix.VaultConfig:
    settings: dict[str, Any] = {
        "vault_url": url,
        "vault_api_key": "lgx_test",
        "retry_base_delay": 0.01,
        "review_poll_interval": 0.05,
        "review_timeout": 2.0,
        "vault_timeout": 5.0,
    }
    settings.update(overrides)
    return ledgix.VaultConfig(**settings)


def crewai_refund_tool(run: Callable[[float, str], str]) -> Any:
    """A CrewAI tool `stripe_refund(amount, currency="USD")` that records each call as (amount, currency)."""
    from crewai.tools import BaseTool
    from pydantic import BaseModel, Field

    class RefundArgs(BaseModel):
        amount: float
        currency: str = "USD"

    class RefundTool(BaseTool):
        name: str = "stripe_refund"
        description: str = "Refund a charge"
        args_schema: type[BaseModel] = RefundArgs
        calls: list[tuple[float, str]] = Field(default_factory=list)

        def _run(self, amount: float, currency: str = "USD") -> str:
            self.calls.append((amount, currency))
            return run(amount, currency)

    return RefundTool()
