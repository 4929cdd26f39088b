"""CrewAI: `LedgixCrewAITool.wrap([client,] tool, policy_id=...)` returns a tool with the
same name, description and argument schema that asks the vault first. On a denial the tool
does not run and returns `BLOCKED: …` to the agent (as ledgix-python 0.4 did), so the crew
can carry on without the action."""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from ..client import LedgixClient
from ..exceptions import ClearanceDeniedError
from ..instrument import Guard
from ._core import approved_input, cleared, client_and_tool, schema_fields, tool_guard

try:
    from crewai.tools import BaseTool
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError("The CrewAI adapter needs crewai: pip install 'ledgix-python[crewai]'") from error


class LedgixCrewAITool(BaseTool):
    """A CrewAI tool guarded by the vault."""

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
        super().__init__(name=inner_tool.name, description=inner_tool.description, args_schema=inner_tool.args_schema)
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
    ) -> LedgixCrewAITool:
        client, inner = client_and_tool(client_or_tool, tool)
        return cls(inner, client, policy_id=policy_id, context=context)

    def _run(self, **kwargs: Any) -> Any:
        try:
            clearance = self._guard.clear(kwargs)
        except ClearanceDeniedError as denied:
            return f"BLOCKED: the vault denied this action: {denied.reason}"
        approved = approved_input(clearance, kwargs, schema_fields(self._inner.args_schema))
        with cleared(clearance):
            return self._inner._run(**approved)
