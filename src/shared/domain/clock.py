"""Where the domain reads the time and waits: the system's in the functions; a clock the test moves in the domain's
tests (tests/support/fakes/clock.py), so a TTL, a lease or a deadline passes when the test says."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
