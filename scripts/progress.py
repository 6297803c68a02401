"""A progress line for a long copy, redrawn in place on a terminal: how far, and how fast, with no dependency.

Only on a terminal: a log file or a CI job would otherwise fill with carriage returns, so there the caller's final
line per board is all that shows.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

REDRAW_S = 0.1  # at most ten redraws a second, however many threads report
CLEAR_LINE = "\r\x1b[K"


class Progress:
    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._label = label
        self._total = total
        self._stream = stream if stream is not None else sys.stderr
        self._live = self._stream.isatty()
        self._clock = clock
        self._started = clock()
        self._drawn = -REDRAW_S
        self._lock = threading.Lock()

    def update(self, done: int) -> None:
        """Shows `done` of the total (thread-safe; redraws only when REDRAW_S has passed)."""
        if not self._live:
            return
        with self._lock:
            now = self._clock()
            if now - self._drawn >= REDRAW_S:
                self._drawn = now
                self._stream.write(CLEAR_LINE + self.line(done))
                self._stream.flush()

    def finish(self) -> None:
        """Clears the line, for the caller's final one."""
        if self._live:
            self._stream.write(CLEAR_LINE)
            self._stream.flush()

    def line(self, done: int) -> str:
        percent = min(100, done * 100 // self._total) if self._total else 100
        return f"{self._label}: {done:,}/{self._total:,} players ({percent}%), {self.rate(done):,.0f}/s"

    def rate(self, done: int) -> float:
        """Players per second since the start."""
        elapsed = self._clock() - self._started
        return done / elapsed if elapsed > 0 else 0.0

    def elapsed(self) -> float:
        return self._clock() - self._started
