"""LlamaIndex: `wrap_tool([client,] tool, policy_id=...)` returns a `FunctionTool` with the
same metadata that asks the vault first; a denial raises `ClearanceDeniedError` and the
tool never runs."""

from __future__ import annotations

from typing import Any

from ..client import LedgixClient
from ._core import approved_input, cleared, client_and_tool, schema_fields, tool_guard

try:
    from llama_index.core.tools import FunctionTool
    from llama_index.core.tools.types import BaseTool, adapt_to_async_tool
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "The LlamaIndex adapter needs llama-index-core: pip install 'ledgix-python[llamaindex]'"
    ) from error


class LedgixToolWrapper:
    """Holds the guarded `FunctionTool` as `.tool`."""

    def __init__(
        self,
        client: LedgixClient | None = None,
        tool: BaseTool | None = None,
        *,
        policy_id: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        if tool is None:
            raise TypeError("LedgixToolWrapper needs the tool to wrap")
        self._inner = tool
        name = tool.metadata.name or "tool"
        self._guard = tool_guard(name, client, policy_id, context)
        self.tool = FunctionTool.from_defaults(
            fn=self._call,
            async_fn=self._acall,
            name=name,
            description=tool.metadata.description,
            fn_schema=tool.metadata.fn_schema,
            return_direct=tool.metadata.return_direct,
        )

    def _call(self, **kwargs: Any) -> Any:
        clearance = self._guard.clear(kwargs)
        approved = approved_input(clearance, kwargs, schema_fields(self._inner.metadata.fn_schema))
        with cleared(clearance):
            return self._inner(**approved).raw_output

    async def _acall(self, **kwargs: Any) -> Any:
        clearance = await self._guard.aclear(kwargs)
        approved = approved_input(clearance, kwargs, schema_fields(self._inner.metadata.fn_schema))
        with cleared(clearance):
            return (await adapt_to_async_tool(self._inner).acall(**approved)).raw_output


def wrap_tool(
    client_or_tool: LedgixClient | BaseTool,
    tool: BaseTool | None = None,
    *,
    policy_id: str | None = None,
    context: dict[str, Any] | None = None,
) -> FunctionTool:
    """`wrap_tool(client, tool)` or `wrap_tool(tool)` (global client)."""
    client, inner = client_and_tool(client_or_tool, tool)
    return LedgixToolWrapper(client, inner, policy_id=policy_id, context=context).tool
