"""Context variables shared by the client and the wrappers (each task/thread sees its own)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import ClearanceResponse

# agent_id / session_id set by the innermost active VaultContext.
overrides: ContextVar[dict[str, str]] = ContextVar("ledgix_overrides", default={})  # noqa: B039
# The clearance of the instrumented call being executed.
current: ContextVar[ClearanceResponse | None] = ContextVar("ledgix_clearance", default=None)
