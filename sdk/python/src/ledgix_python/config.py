"""Client configuration: constructor argument, else `LEDGIX_<FIELD>` environment variable
(or a `.env` file in the working directory), else the default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_PREFIX = "LEDGIX_"


class VaultConfig(BaseModel):
    """Settings of a `LedgixClient`. Durations are in seconds (decisions §10)."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    vault_url: str = "http://localhost:8000"
    vault_api_key: str = Field(default="", repr=False)
    vault_timeout: float = Field(default=30.0, gt=0)
    verify_jwt: bool = True
    jwt_issuer: str = "alcv-vault"
    jwt_audience: str = "ledgix-sdk"
    agent_id: str = "default-agent"
    session_id: str = ""
    principal_id: str | None = None
    review_mode: Literal["block", "detach"] = "block"
    review_poll_interval: float = Field(default=2.0, gt=0)
    review_timeout: float = Field(default=300.0, ge=0)
    max_retries: int = Field(default=3, ge=0)
    retry_base_delay: float = Field(default=0.5, ge=0)
    decision_cache_enabled: bool = False
    decision_cache_ttl_seconds: float = Field(default=60.0, gt=0)
    decision_cache_max_entries: int = Field(default=1000, gt=0)
    jwks_ttl_seconds: float = Field(default=300.0, ge=0)
    replay_cache_size: int = Field(default=10_000, gt=0)
    max_token_lifetime_seconds: float = Field(default=330.0, gt=0)

    @field_validator("review_mode", mode="before")
    @classmethod
    def _review_mode_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _fill_from_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        environment = {**_dotenv(Path.cwd() / ".env"), **{k.upper(): v for k, v in os.environ.items()}}
        filled = dict(data)
        for name in cls.model_fields:
            env_name = f"{ENV_PREFIX}{name.upper()}"
            if name not in filled and env_name in environment:
                filled[name] = environment[env_name]
        return filled


def _dotenv(path: Path) -> dict[str, str]:
    """`KEY=value` lines of a .env file (comments, `export ` and quotes allowed)."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().removeprefix("export ").strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().upper()] = value
    return values
