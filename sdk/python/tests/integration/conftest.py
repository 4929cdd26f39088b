from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ledgix_python import ClearanceRequest, LedgixClient, VaultConfig

from .vault_server import Tenant, VaultServer, start_server


@pytest.fixture(scope="session")
def vault() -> Iterator[VaultServer]:
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tenant(vault: VaultServer) -> Tenant:
    return vault.new_tenant()


def config_for(vault: VaultServer, tenant: Tenant, **overrides: Any) -> VaultConfig:
    settings: dict[str, Any] = {
        "vault_url": vault.api_url,
        "vault_api_key": tenant.key,
        "agent_id": "agent-pytest",
        "review_poll_interval": 0.2,
        "review_timeout": 30.0,
        "retry_base_delay": 0.1,
    }
    settings.update(overrides)
    return VaultConfig(**settings)


@pytest.fixture
def client(vault: VaultServer, tenant: Tenant) -> Iterator[LedgixClient]:
    with LedgixClient(config_for(vault, tenant)) as sdk:
        yield sdk


def refund(amount: float, **fields: Any) -> ClearanceRequest:
    return ClearanceRequest(
        tool_name="stripe_refund",
        tool_args={"amount": amount, "currency": "USD"},
        context={"policy_id": "refunds"},
        **fields,
    )
