"""What the adapters share: argument order, the guard, and running with the clearance set."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from .. import _context, _edited
from ..client import LedgixClient
from ..instrument import Guard
from ..models import ClearanceResponse

ToolT = TypeVar("ToolT")


def client_and_tool(client_or_tool: LedgixClient | ToolT, tool: ToolT | None) -> tuple[LedgixClient | None, ToolT]:
    """`wrap(client, tool)` and `wrap(tool)` both work, as in ledgix-python 0.4."""
    if isinstance(client_or_tool, LedgixClient):
        if tool is None:
            raise TypeError("wrap(client, tool): the tool to wrap is missing")
        return client_or_tool, tool
    return None, client_or_tool


def tool_guard(
    tool_name: str, client: LedgixClient | None, policy_id: str | None, context: dict[str, Any] | None
) -> Guard:
    return Guard(tool_name=tool_name, policy_id=policy_id, context=context or {}, client=client)


@contextmanager
def cleared(clearance: ClearanceResponse) -> Iterator[None]:
    """Makes `current_token()` / `current_clearance()` answer inside the wrapped tool."""
    token = _context.current.set(clearance)
    try:
        yield
    finally:
        _context.current.reset(token)


def approved_input(clearance: ClearanceResponse, asked: dict[str, Any], known: Iterable[str] | None) -> dict[str, Any]:
    """The tool's arguments to run: `asked`, or the approved ones when a reviewer edited the
    call, which must all be among `known` (the tool schema's fields, None when it has none)."""
    approved = _edited.approved_args(clearance, asked)
    if clearance.args_edited:
        _edited.check_known(clearance.request_id, approved, known)
    return approved


def schema_fields(schema: Any) -> list[str] | None:
    """The field names of a pydantic model class, None for anything else (no schema)."""
    fields = getattr(schema, "model_fields", None)
    return list(fields) if isinstance(fields, dict) else None
