"""LangChain: `LedgixTool.wrap([client,] tool, policy_id=...)` returns a tool with the same
name, description and argument schema that asks the vault first. A denial raises
`ToolException` (so `handle_tool_error` can report it to the model); the tool never runs."""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from ..client import LedgixClient
from ..exceptions import ClearanceDeniedError
from ..instrument import Guard
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
    return {}, {}


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
        with cleared(clearance):
            return self._inner.invoke(tool_input)

    async def _arun(self, *args: Any, run_manager: Any = None, **kwargs: Any) -> Any:
        cleared_args, tool_input = _tool_input(args, kwargs)
        try:
            clearance = await self._guard.aclear(cleared_args)
        except ClearanceDeniedError as denied:
            raise ToolException(f"Vault denied: {denied.reason}") from denied
        with cleared(clearance):
            return await self._inner.ainvoke(tool_input)
