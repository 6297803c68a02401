"""A clock the test moves: what the domain reads as `clock` (Unix seconds) and waits with as `sleep`, and what the
fake index expires its sets by, so a TTL, a lease or a deadline passes when the test says and not a moment sooner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

# 2026-05-28 00:00:00 UTC: a Thursday in the middle of a month and of an ISO week, so no period ends on a small step.
DEFAULT_START = 1_779_926_400.0


class Clock:
    """Seconds since the Unix epoch, standing still until `advance` or `sleep` moves them; safe across threads."""

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self.slept: list[float] = []  # every sleep asked for, in order: how a test sees a backoff's pauses

    def now(self) -> float:
        with self._lock:
            return self._now

    def __call__(self) -> float:
        return self.now()

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        """Moves the clock forward (never back: nothing the stores do can see time reversed); the new time."""
        if seconds < 0:
            raise ValueError(f"a clock only moves forward (asked to move {seconds} s)")
        with self._lock:
            self._now += seconds
            return self._now

    def sleep(self, seconds: float) -> None:
        """A sleep that returns at once, the clock `seconds` later (a negative sleep, like time.sleep's, is refused)."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        with self._lock:
            self.slept.append(seconds)
            self._now += seconds

    def sleeping_with(self, sleep: Callable[[float], None]) -> SleepingWith:
        """This clock's time, with `sleep` called for each wait instead (a test that acts while the domain waits)."""
        return SleepingWith(self, sleep)


@dataclass(frozen=True)
class SleepingWith:
    clock: Clock
    sleep: Callable[[float], None]

    def now(self) -> float:
        return self.clock.now()
