"""The low-code surface: `configure`, manifest-driven `auto_instrument`, the `tool` /
`enforce` / `vault_enforce` decorators, `VaultContext`, and `current_token()` /
`current_clearance()` for the function being run."""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import types
from collections.abc import Callable, Mapping
from contextvars import Token
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from . import _context, _edited
from .client import LedgixClient
from .config import VaultConfig
from .exceptions import ReviewPendingError
from .manifest import Manifest, load_manifest
from .models import ClearanceRequest, ClearanceResponse
from .pending import PendingApproval

F = TypeVar("F", bound=Callable[..., Any])
_GUARDED = "__ledgix_guarded__"

_default_client: LedgixClient | None = None
_manifest: Manifest | None = None


def configure(config: VaultConfig | None = None, **kwargs: Any) -> LedgixClient:
    """Sets the global client: `configure(agent_id=...)` or `configure(VaultConfig(...))`;
    unset fields come from the `LEDGIX_*` environment variables."""
    global _default_client
    if config is not None and kwargs:
        raise TypeError("configure() takes a VaultConfig or keyword settings, not both")
    _default_client = LedgixClient(config or VaultConfig(**kwargs))
    return _default_client


def get_client() -> LedgixClient:
    """The global client; configured from the environment on first use if `configure` was not called."""
    global _default_client
    if _default_client is None:
        _default_client = LedgixClient()
    return _default_client


def current_clearance() -> ClearanceResponse | None:
    """The clearance of the instrumented call being run; None outside one."""
    return _context.current.get()


def current_token() -> str | None:
    """The A-JWT of the instrumented call being run; None outside one."""
    clearance = _context.current.get()
    return clearance.token if clearance is not None else None


@dataclass(frozen=True)
class Guard:
    """How one function is cleared: which tool name, policy and extra fields to send."""

    tool_name: str
    policy_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    client: LedgixClient | None = None
    use_manifest: bool = False
    inject_clearance: bool = False
    on_review_pending: Callable[[PendingApproval], None] | None = None
    data_categories: list[str] | None = None
    purpose: str | None = None
    processing_register_ref: str | None = None
    dataset_ref: str | None = None

    def request(self, tool_args: dict[str, Any]) -> ClearanceRequest:
        policy_id, context = self.policy_id, dict(self.context)
        rule = _manifest.match(self.tool_name) if self.use_manifest and _manifest is not None else None
        if rule is not None:
            policy_id = policy_id or rule.policy_id
            context = {**rule.context, **context}
        if policy_id:
            context["policy_id"] = policy_id
        return ClearanceRequest(
            tool_name=self.tool_name,
            tool_args=tool_args,
            context=context,
            data_categories=self.data_categories,
            purpose=self.purpose,
            processing_register_ref=self.processing_register_ref,
            dataset_ref=self.dataset_ref,
        )

    def clear(self, tool_args: dict[str, Any]) -> ClearanceResponse:
        try:
            return (self.client or get_client()).request_clearance(self.request(tool_args))
        except ReviewPendingError as pending:
            self._notify(pending)
            raise

    async def aclear(self, tool_args: dict[str, Any]) -> ClearanceResponse:
        try:
            return await (self.client or get_client()).arequest_clearance(self.request(tool_args))
        except ReviewPendingError as pending:
            self._notify(pending)
            raise

    def _notify(self, pending: ReviewPendingError) -> None:
        if self.on_review_pending is not None:
            self.on_review_pending(pending.pending_approval)


def guard(func: F, spec: Guard) -> F:
    """Wraps `func` so that it runs only once the vault approved this exact call, or the call
    a reviewer edited it into (then with the approved arguments, or not at all). The wrapper
    keeps `func`'s signature (`inspect.signature` follows `__wrapped__`)."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_guarded(*args: Any, **kwargs: Any) -> Any:
            asked = tool_args_of(func, args, kwargs)
            clearance = await spec.aclear(asked)
            args, kwargs = approved_call(func, args, kwargs, asked, clearance)
            if spec.inject_clearance:
                kwargs["_clearance"] = clearance
            token = _context.current.set(clearance)
            try:
                return await func(*args, **kwargs)
            finally:
                _context.current.reset(token)

        wrapped: Callable[..., Any] = async_guarded
    else:

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            asked = tool_args_of(func, args, kwargs)
            clearance = spec.clear(asked)
            args, kwargs = approved_call(func, args, kwargs, asked, clearance)
            if spec.inject_clearance:
                kwargs["_clearance"] = clearance
            token = _context.current.set(clearance)
            try:
                return func(*args, **kwargs)
            finally:
                _context.current.reset(token)

        wrapped = guarded
    setattr(wrapped, _GUARDED, spec)
    return cast(F, wrapped)


def approved_call(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    asked: dict[str, Any],
    clearance: ClearanceResponse,
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The call to run: as made, or, when a reviewer edited it, with exactly the approved
    arguments (`EditedArgsError` when they cannot be passed to `func`)."""
    if not clearance.args_edited:
        return args, kwargs
    approved = _edited.approved_args(clearance, asked)
    return _edited.keyword_call(func, args, kwargs, approved, clearance.request_id)


def tool_args_of(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by parameter name, defaults applied; `self`, `_private`
    parameters and `*args`/`**kwargs` catch-alls are left out."""
    try:
        signature = inspect.signature(func)
        bound = signature.bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return {k: v for k, v in kwargs.items() if not k.startswith("_")}
    bound.apply_defaults()
    names = _edited.tool_parameters(signature)
    return {name: value for name, value in bound.arguments.items() if name in names}


@overload
def tool(func: F, /) -> F: ...
@overload
def tool(
    *,
    tool_name: str | None = None,
    policy_id: str | None = None,
    context: dict[str, Any] | None = None,
    data_categories: list[str] | None = None,
    purpose: str | None = None,
    processing_register_ref: str | None = None,
    dataset_ref: str | None = None,
) -> Callable[[F], F]: ...
def tool(
    func: F | None = None,
    /,
    *,
    tool_name: str | None = None,
    policy_id: str | None = None,
    context: dict[str, Any] | None = None,
    data_categories: list[str] | None = None,
    purpose: str | None = None,
    processing_register_ref: str | None = None,
    dataset_ref: str | None = None,
) -> F | Callable[[F], F]:
    """`@ledgix.tool` or `@ledgix.tool(policy_id=...)`: the escape hatch for functions
    outside instrumented modules. The loaded manifest's matching rule applies first, then
    these explicit overrides."""

    def decorate(f: F) -> F:
        spec = Guard(
            tool_name=tool_name or f.__name__,
            policy_id=policy_id,
            context=context or {},
            use_manifest=True,
            data_categories=data_categories,
            purpose=purpose,
            processing_register_ref=processing_register_ref,
            dataset_ref=dataset_ref,
        )
        return guard(f, spec)

    return decorate(func) if func is not None else decorate


def enforce(
    *,
    tool_name: str | None = None,
    policy_id: str | None = None,
    context: dict[str, Any] | None = None,
    on_review_pending: Callable[[PendingApproval], None] | None = None,
    data_categories: list[str] | None = None,
    purpose: str | None = None,
    processing_register_ref: str | None = None,
    dataset_ref: str | None = None,
) -> Callable[[F], F]:
    """Clears every call of the decorated function with the global client; inside it,
    `current_token()` is the call's A-JWT. `on_review_pending` sees the handle before
    `ReviewPendingError` propagates (detach mode)."""

    def decorate(f: F) -> F:
        spec = Guard(
            tool_name=tool_name or f.__name__,
            policy_id=policy_id,
            context=context or {},
            on_review_pending=on_review_pending,
            data_categories=data_categories,
            purpose=purpose,
            processing_register_ref=processing_register_ref,
            dataset_ref=dataset_ref,
        )
        return guard(f, spec)

    return decorate


def vault_enforce(
    client: LedgixClient,
    *,
    tool_name: str | None = None,
    policy_id: str | None = None,
    context: dict[str, Any] | None = None,
    data_categories: list[str] | None = None,
    purpose: str | None = None,
    processing_register_ref: str | None = None,
    dataset_ref: str | None = None,
) -> Callable[[F], F]:
    """Like `enforce` with an explicit client; the function also receives the
    `ClearanceResponse` as the keyword argument `_clearance`."""

    def decorate(f: F) -> F:
        spec = Guard(
            tool_name=tool_name or f.__name__,
            policy_id=policy_id,
            context=context or {},
            client=client,
            inject_clearance=True,
            data_categories=data_categories,
            purpose=purpose,
            processing_register_ref=processing_register_ref,
            dataset_ref=dataset_ref,
        )
        return guard(f, spec)

    return decorate


def auto_instrument(
    module: types.ModuleType,
    manifest: str | Path | Mapping[str, Any] | Manifest | None = None,
    recurse: bool = False,
) -> list[str]:
    """Wraps the functions defined in `module` (and its submodules with `recurse=True`)
    whose names match a manifest rule; the first matching glob wins and unmatched functions
    are left alone. `manifest=None` reads ledgix.yaml, ledgix.yml or ledgix.json from the
    working directory. Returns the qualified names of the wrapped functions.

    Call it before other modules import the tool functions: references taken earlier keep
    pointing at the unwrapped function."""
    global _manifest
    loaded = load_manifest(manifest)
    _manifest = loaded
    wrapped: list[str] = []
    for target in _modules(module, recurse):
        for name, value in list(vars(target).items()):
            if not inspect.isfunction(value) or value.__module__ != target.__name__ or hasattr(value, _GUARDED):
                continue
            rule = loaded.match(name)
            if rule is None:
                continue
            setattr(target, name, guard(value, Guard(tool_name=name, policy_id=rule.policy_id, context=rule.context)))
            wrapped.append(f"{target.__name__}.{name}")
    return wrapped


def _modules(module: types.ModuleType, recurse: bool) -> list[types.ModuleType]:
    found = [module]
    if recurse and hasattr(module, "__path__"):
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{module.__name__}."):
            found.append(importlib.import_module(info.name))
    return found


class VaultContext:
    """Per-call overrides, sync and async: `with VaultContext(agent_id=..., session_id=...):`
    makes every clearance inside the block use them.

    Given a tool name (`VaultContext(client, "stripe_refund", {"amount": 45})`) it also
    clears that call on entry; `ctx.clearance` holds the approval. When a reviewer edited the
    call (`ctx.clearance.args_edited`), run it with `ctx.clearance.tool_args`.
    """

    def __init__(
        self,
        client: LedgixClient | None = None,
        tool_name: str | None = None,
        tool_args: dict[str, Any] | None = None,
        *,
        agent_id: str | None = None,
        session_id: str | None = None,
        context: dict[str, Any] | None = None,
        policy_id: str | None = None,
        data_categories: list[str] | None = None,
        purpose: str | None = None,
        processing_register_ref: str | None = None,
        dataset_ref: str | None = None,
    ) -> None:
        self.client = client
        self.tool_name = tool_name
        self.tool_args = tool_args or {}
        self.agent_id = agent_id
        self.session_id = session_id
        self.clearance: ClearanceResponse | None = None
        self._spec = (
            Guard(
                tool_name=tool_name,
                policy_id=policy_id,
                context=context or {},
                client=client,
                data_categories=data_categories,
                purpose=purpose,
                processing_register_ref=processing_register_ref,
                dataset_ref=dataset_ref,
            )
            if tool_name
            else None
        )
        self._tokens: list[Token[Any]] = []

    def _push(self) -> None:
        overrides = dict(_context.overrides.get())
        if self.agent_id is not None:
            overrides["agent_id"] = self.agent_id
        if self.session_id is not None:
            overrides["session_id"] = self.session_id
        self._tokens.append(_context.overrides.set(overrides))

    def _entered(self, clearance: ClearanceResponse) -> VaultContext:
        self.clearance = clearance
        self._tokens.append(_context.current.set(clearance))
        return self

    def _pop(self) -> None:
        while self._tokens:
            token = self._tokens.pop()
            token.var.reset(token)

    def __enter__(self) -> VaultContext:
        self._push()
        if self._spec is None:
            return self
        try:
            return self._entered(self._spec.clear(self.tool_args))
        except BaseException:
            self._pop()
            raise

    def __exit__(self, *args: object) -> None:
        self._pop()

    async def __aenter__(self) -> VaultContext:
        self._push()
        if self._spec is None:
            return self
        try:
            return self._entered(await self._spec.aclear(self.tool_args))
        except BaseException:
            self._pop()
            raise

    async def __aexit__(self, *args: object) -> None:
        self._pop()


__all__ = [
    "Guard",
    "VaultContext",
    "auto_instrument",
    "configure",
    "current_clearance",
    "current_token",
    "enforce",
    "get_client",
    "guard",
    "tool",
    "tool_args_of",
    "vault_enforce",
]
