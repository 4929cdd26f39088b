"""LangChain: `LedgixTool.wrap([client,] tool, policy_id=...)` returns a tool with the same
name, description and argument schema that asks the vault first. A denial raises
`ToolException` (so `handle_tool_error` can report it to the model); the tool never runs."""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from .. import _edited
from ..client import LedgixClient
from ..exceptions import ClearanceDeniedError, EditedArgsError
from ..instrument import Guard
from ..models import ClearanceResponse
from ._core import cleared, client_and_tool, tool_guard

try:
    from langchain_core.tools import BaseTool, ToolException
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError("The LangChain adapter needs langchain-core: pip install 'ledgix-python[langchain]'") from error


def _tool_input(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """(arguments to clear, input for the wrapped tool)."""
    if kwargs:
        return kwargs, kwargs
    if args:
        return {"input": args[0]}, args[0]
    return kwargs, kwargs


def _approved_tool_input(
    clearance: ClearanceResponse, cleared_args: dict[str, Any], tool_input: Any, inner: BaseTool
) -> Any:
    """The wrapped tool's input for the approved arguments: the approved dict, or `input` back
    out of `{"input": …}` for a tool called with one positional input."""
    if not clearance.args_edited:
        return tool_input
    approved = _edited.approved_args(clearance, cleared_args)
    if tool_input is cleared_args:
        _edited.check_known(clearance.request_id, approved, inner.args)
        return approved
    if set(approved) != {"input"}:
        raise EditedArgsError(clearance.request_id, 'the approved arguments are not {"input": …} as asked')
    return approved["input"]


class LedgixTool(BaseTool):
    """A LangChain tool guarded by the vault."""

    _inner: BaseTool = PrivateAttr()
    _guard: Guard = PrivateAttr()

    def __init__(
        self,
        inner_tool: BaseTool,
        client: LedgixClient | None = None,
        *,
        policy_id: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            name=inner_tool.name,
            description=inner_tool.description,
            args_schema=inner_tool.args_schema,
            return_direct=inner_tool.return_direct,
        )
        self._inner = inner_tool
        self._guard = tool_guard(inner_tool.name, client, policy_id, context)

    @classmethod
    def wrap(
        cls,
        client_or_tool: LedgixClient | BaseTool,
        tool: BaseTool | None = None,
        *,
        policy_id: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> LedgixTool:
        client, inner = client_and_tool(client_or_tool, tool)
        return cls(inner, client, policy_id=policy_id, context=context)

    def _run(self, *args: Any, run_manager: Any = None, **kwargs: Any) -> Any:
        cleared_args, tool_input = _tool_input(args, kwargs)
        try:
            clearance = self._guard.clear(cleared_args)
        except ClearanceDeniedError as denied:
            raise ToolException(f"Vault denied: {denied.reason}") from denied
        tool_input = _approved_tool_input(clearance, cleared_args, tool_input, self._inner)
        with cleared(clearance):
            return self._inner.invoke(tool_input)

    async def _arun(self, *args: Any, run_manager: Any = None, **kwargs: Any) -> Any:
        cleared_args, tool_input = _tool_input(args, kwargs)
        try:
            clearance = await self._guard.aclear(cleared_args)
        except ClearanceDeniedError as denied:
            raise ToolException(f"Vault denied: {denied.reason}") from denied
        tool_input = _approved_tool_input(clearance, cleared_args, tool_input, self._inner)
        with cleared(clearance):
            return await self._inner.ainvoke(tool_input)
