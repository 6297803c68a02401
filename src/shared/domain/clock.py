"""Where the domain reads the time and waits: the system's in the functions (moved by a fixed offset in local runs
started at another instant, docs/time-travel.md); a clock the test moves in the domain's tests
(tests/support/fakes/clock.py), so a TTL, a lease or a deadline passes when the test says."""

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


class OffsetClock(SystemClock):
    """The system's clock moved by a fixed offset, running at its rate: `make dev NOW=...` gives the functions the
    offset that puts them at NOW when the stack started, and momento-local the same one, so periods, timestamps and
    TTLs all agree. Waits stay real."""

    def __init__(self, offset_s: float) -> None:
        self.offset_s = offset_s

    def now(self) -> float:
        return time.time() + self.offset_s


SYSTEM_CLOCK = SystemClock()
