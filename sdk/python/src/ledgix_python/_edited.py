"""Calls a reviewer edited before approving them (wire protocol §5.2): the status answer
carries `args_edited: true` and the approved `tool_args`, and the token binds those. A client
runs the approved call or nothing."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import rfc8785

from .exceptions import EditedArgsError, TokenVerificationError
from .models import ClearanceResponse
from .tokens import tool_args_hash

logger = logging.getLogger("ledgix_python")


def changed_fields(asked: Mapping[str, Any], approved: Mapping[str, Any]) -> list[str]:
    """Top-level keys added, removed or changed between the call as asked and as approved, sorted."""

    def same(key: str) -> bool:
        if (key in asked) != (key in approved):
            return False
        try:
            return rfc8785.dumps(asked[key]) == rfc8785.dumps(approved[key])
        except (rfc8785.CanonicalizationError, TypeError, ValueError):
            return bool(asked[key] == approved[key])

    return sorted(key for key in {*asked, *approved} if not same(key))


def approved_args(clearance: ClearanceResponse, asked: dict[str, Any]) -> dict[str, Any]:
    """The arguments to run with: the approved ones when a reviewer edited the call, else `asked`."""
    if not clearance.args_edited:
        return asked
    if clearance.tool_args is None:
        raise EditedArgsError(clearance.request_id, "the vault did not say which arguments were approved")
    return clearance.tool_args


def check_token_binds(claims: Mapping[str, Any], clearance: ClearanceResponse) -> None:
    """Raises unless the verified token of an edited call binds the approved arguments."""
    if claims.get("tool_args_hash") != tool_args_hash(approved_args(clearance, {})):
        raise TokenVerificationError(
            f"the token of request {clearance.request_id} is for other arguments than the approved ones"
        )


def warn_edited(tool_name: str, clearance: ClearanceResponse, asked: Mapping[str, Any]) -> None:
    """Logs that an edited call runs; names the changed fields, never their values."""
    changed = changed_fields(asked, clearance.tool_args or {})
    logger.warning(
        "Ledgix: a reviewer edited the arguments of %s (request %s) before approving it; "
        "it runs with the approved arguments (changed: %s)",
        tool_name,
        clearance.request_id,
        ", ".join(changed) or "none",
    )


def tool_parameters(signature: inspect.Signature) -> list[str]:
    """The parameters whose values are a call's tool arguments: all but `self`, `_private`
    ones and the `*args`/`**kwargs` catch-alls."""
    catch_alls = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [
        name
        for name, parameter in signature.parameters.items()
        if not name.startswith("_") and name != "self" and parameter.kind not in catch_alls
    ]


def keyword_call(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    approved: Mapping[str, Any],
    request_id: str,
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The `(args, kwargs)` to call `func` with so that its tool arguments are exactly
    `approved`, for a call first made with `args`/`kwargs`: every tool argument (a named
    parameter other than `self` and `_private` ones) is taken from `approved` or, when the
    reviewer removed it, not passed (its default applies); `self`, `_private` parameters and
    `*args`/`**kwargs` catch-alls keep what the caller passed. Raises `EditedArgsError` when an
    approved key is not such a parameter, a required one was removed, or a value cannot be
    passed to its parameter."""
    try:
        signature = inspect.signature(func)
        bound = signature.bind_partial(*args, **kwargs)
    except (TypeError, ValueError) as error:
        raise EditedArgsError(request_id, f"the function's parameters cannot be read ({error})") from error
    tool_params = tool_parameters(signature)
    unknown = sorted(set(approved) - set(tool_params))
    if unknown:
        raise EditedArgsError(request_id, f"{', '.join(unknown)} not among the function's parameters")
    required = [
        name
        for name in tool_params
        if name not in approved and signature.parameters[name].default is inspect.Parameter.empty
    ]
    if required:
        raise EditedArgsError(request_id, f"{', '.join(required)} removed, and the function requires it")
    # `arguments` is live: `args` and `kwargs` are rebuilt from it, in the signature's order.
    for name in tool_params:
        bound.arguments.pop(name, None)
    bound.arguments.update(approved)
    call_args, call_kwargs = bound.args, bound.kwargs
    # Bound back, every approved value must land on its own parameter, not in a catch-all
    # (a positional-only parameter after a removed one would be passed by keyword).
    try:
        rebound = signature.bind_partial(*call_args, **call_kwargs).arguments
    except TypeError as error:
        raise EditedArgsError(request_id, f"the approved arguments do not fit the function ({error})") from error
    misplaced = sorted(name for name, value in approved.items() if name not in rebound or rebound[name] is not value)
    if misplaced:
        raise EditedArgsError(request_id, f"the approved arguments do not fit the function ({', '.join(misplaced)})")
    return call_args, call_kwargs


def check_known(request_id: str, approved: Mapping[str, Any], known: Iterable[str] | None) -> None:
    """Raises `EditedArgsError` when `known` (a tool schema's fields) does not cover the approved keys."""
    if known is None:
        return
    unknown = sorted(set(approved) - set(known))
    if unknown:
        raise EditedArgsError(request_id, f"{', '.join(unknown)} not among the tool's arguments")
