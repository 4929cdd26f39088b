"""A small thread-safe map whose entries expire, bounded in size (oldest evicted first)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    def __init__(self, max_entries: int, ttl_seconds: float) -> None:
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: str, value: V, ttl_seconds: float | None = None) -> None:
        with self._lock:
            self._put_locked(key, value, ttl_seconds)

    def _put_locked(self, key: str, value: V, ttl_seconds: float | None) -> None:
        expires = time.monotonic() + (self._ttl if ttl_seconds is None else ttl_seconds)
        self._entries.pop(key, None)
        self._entries[key] = (expires, value)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def add_if_absent(self, key: str, value: V, ttl_seconds: float | None = None) -> bool:
        """Atomically remembers `key`; False when a live entry was already there."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > time.monotonic():
                return False
            self._put_locked(key, value, ttl_seconds)
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
