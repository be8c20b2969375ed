"""The one source of "now" shared by the suite, the steps and candidates that accept it.

Scenarios travel in time ("a year later", "an hour late") by moving a clock, never by
sleeping, so a run takes the same time whatever it simulates.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

MS_PER_SECOND = 1_000
MS_PER_DAY = 86_400_000


@runtime_checkable
class Clock(Protocol):
    """What candidates and steps read the time from."""

    def now_ms(self) -> int:
        """UTC epoch milliseconds."""
        ...


class ManualClock:
    """A clock that only moves when the suite moves it."""

    tolerance_ms = 0

    def __init__(self, start_ms: int) -> None:
        self._now_ms = start_ms
        self._lock = threading.Lock()
        self._listeners: list[Callable[[int], None]] = []

    def subscribe(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(now_ms)`` whenever the clock moves (how remote candidates follow it)."""
        self._listeners.append(listener)

    def _moved(self) -> None:
        now = self.now_ms()
        for listener in self._listeners:
            listener(now)

    def now_ms(self) -> int:
        with self._lock:
            return self._now_ms

    def now_s(self) -> int:
        return self.now_ms() // MS_PER_SECOND

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError(f"a clock only moves forward; asked to move {ms} ms")
        with self._lock:
            self._now_ms += ms
        self._moved()

    def set(self, epoch_ms: int) -> None:
        with self._lock:
            self._now_ms = epoch_ms
        self._moved()

    def __repr__(self) -> str:
        return f"ManualClock(now_ms={self._now_ms})"


class SystemClock:
    """Wall-clock time, for candidates that cannot follow the suite's clock.

    Comparisons against it allow some slack, since the candidate reads its own clock.
    """

    tolerance_ms = 30_000

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def now_s(self) -> int:
        return self.now_ms() // MS_PER_SECOND

    def __repr__(self) -> str:
        return "SystemClock()"
