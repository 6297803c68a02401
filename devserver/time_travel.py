"""`make dev NOW=...` and `make sam-local NOW=...`: the local stack's clock set to an instant, running from there.

One offset, NOW minus the system's time, taken once as the stack starts, moves every clock of the stack that a
leaderboard depends on: the functions read it from LOCAL_CLOCK_OFFSET_SECONDS (shared/platform/config.py; the
domain's OffsetClock), momento-local runs its TTLs by it, and the gateway stamps events with it. An offset rather
than NOW itself, so a function's environment that starts later (a cold start, a reload) joins the same running
clock instead of starting again at NOW. SigV4 signatures are still checked against the system's time, as the
clients sign with it. docs/time-travel.md says the rest.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

# The functions' variable (shared/platform/config.py reads it; the template never sets it) and its bound.
OFFSET_VARIABLE = "LOCAL_CLOCK_OFFSET_SECONDS"
MAX_OFFSET_S = 100 * 366 * 86_400
EXAMPLE = "2026-11-29T23:59:30+01:00"


def parse_now(text: str) -> datetime:
    """NOW as an aware instant: ISO 8601 with its UTC offset (`Z` or `+01:00`), as argparse's type (a clear error)."""
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None or instant.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"NOW must be an ISO 8601 date and time with its UTC offset, such as {EXAMPLE} or 2026-11-29T22:59:30Z; "
            f"got {text!r}"
        )
    if abs(instant.timestamp() - time.time()) > MAX_OFFSET_S:
        raise argparse.ArgumentTypeError(f"NOW must be within a century of today; got {text!r}")
    return instant


def offset_to(now: datetime | None) -> float:
    """The seconds to add to the system's time to read `now` at this moment (0 without NOW)."""
    return 0.0 if now is None else now.timestamp() - time.time()


def offset_environment(offset_s: float) -> dict[str, str]:
    """What the functions get: the offset, or nothing (they read the system's clock)."""
    return {OFFSET_VARIABLE: repr(offset_s)} if offset_s else {}


def clock_note(now: datetime | None, offset_s: float) -> str:
    """The banner's line: where the clock started and how far it is from the system's."""
    if now is None:
        return ""
    started = now.isoformat()
    utc = now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return (
        f"  Clock: started at NOW={started} ({utc}), running from there ({offset_s:+.0f} s from this machine's): "
        "the functions and momento-local's TTLs follow it."
    )
