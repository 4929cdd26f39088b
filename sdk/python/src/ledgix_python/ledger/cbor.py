"""The deterministic CBOR profile of the ledger (wire protocol §6.5).

Hand-written because the profile deviates from every general encoder's deterministic mode:
floats are never shortened, map keys sort by UTF-8 length then bytes, and integral JSON
numbers inside embedded JSON are binary64.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any


class Json:
    """Marks embedded JSON (`tool_args`, `citations`, ...): every number in it is binary64."""

    def __init__(self, value: Any) -> None:
        self.value = value


def encode(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out, json_numbers=False)
    return bytes(out)


def _head(major: int, argument: int, out: bytearray) -> None:
    if argument < 24:
        out.append(major << 5 | argument)
    elif argument <= 0xFF:
        out += bytes([major << 5 | 24, argument])
    elif argument <= 0xFFFF:
        out.append(major << 5 | 25)
        out += argument.to_bytes(2, "big")
    elif argument <= 0xFFFFFFFF:
        out.append(major << 5 | 26)
        out += argument.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += argument.to_bytes(8, "big")


def _float(value: float, out: bytearray) -> None:
    if math.isnan(value) or math.isinf(value):
        raise ValueError("NaN and Infinity have no place in a ledger payload")
    out.append(0xFB)
    out += struct.pack(">d", value)


def _key_order(key: str) -> tuple[int, bytes]:
    encoded = key.encode("utf-8")
    return (len(encoded), encoded)


def _encode(value: Any, out: bytearray, *, json_numbers: bool) -> None:
    if isinstance(value, Json):
        _encode(value.value, out, json_numbers=True)
    elif value is None:
        out.append(0xF6)
    elif value is True:
        out.append(0xF5)
    elif value is False:
        out.append(0xF4)
    elif isinstance(value, float) or (json_numbers and isinstance(value, int)):
        _float(float(value), out)
    elif isinstance(value, int):
        if value >= 0:
            _head(0, value, out)
        else:
            _head(1, -1 - value, out)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(3, len(data), out)
        out += data
    elif isinstance(value, Mapping):
        _head(5, len(value), out)
        for key in sorted(value, key=_key_order):
            if not isinstance(key, str):
                raise TypeError("ledger map keys are text strings")
            _encode(key, out, json_numbers=json_numbers)
            _encode(value[key], out, json_numbers=json_numbers)
    elif isinstance(value, Sequence):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out, json_numbers=json_numbers)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} in a ledger payload")
