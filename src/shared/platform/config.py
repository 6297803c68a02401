"""The functions' configuration: each setting's environment variable, default and bounds, declared once, here.

Read and validated once per execution environment, when a handler module is imported (the cold start). A missing
or malformed setting is a deployment mistake, and it fails the cold start on purpose: the import raises
ConfigurationError, Lambda logs it as the function's init error, and API Gateway answers every request 502 until
the stack is fixed. A function that starts and then answers 500 on every request would hide the same mistake
behind healthy-looking init metrics. The template sets every variable, so only a hand-edited function gets here.

One variable the template never sets: LOCAL_CLOCK_OFFSET_SECONDS, the seconds a local stack's clock runs ahead of
(or behind) the system's, which `make dev NOW=...` and `make sam-local NOW=...` give the functions
(docs/time-travel.md). Unset, the functions read the system's clock.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

MOMENTO_MAX_TTL_SECONDS = 86_400  # Momento on-demand caches cap an item's TTL at 24 h
A_DAY = 86_400
MAX_READ_CACHE_SECONDS = 300  # a bound on staleness, not a policy: leaderboards are read to see recent change
# Each Momento attempt's deadline: the SDK's Lambda configuration's 1.1 s by default. At most 2 s, so a call and
# the SDK's 3 retries (of UNAVAILABLE or INTERNAL) still end inside the functions' 10 s timeout.
DEFAULT_MOMENTO_TIMEOUT_MS = 1100
MIN_MOMENTO_TIMEOUT_MS = 100
MAX_MOMENTO_TIMEOUT_MS = 2000
CLOCK_OFFSET_VARIABLE = "LOCAL_CLOCK_OFFSET_SECONDS"
MAX_CLOCK_OFFSET_SECONDS = 100 * 366 * A_DAY  # a century either way: beyond it, a typo rather than a test


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed: the cold start fails with this message (see the module's docstring)."""


@dataclass(frozen=True)
class Settings:
    api_key_parameter: str
    cache_name: str
    leaderboard_ttl: timedelta
    momento_endpoint: str | None
    momento_local_address: str | None
    cors_allow_origin: str
    api_key_cache: timedelta
    api_key_grace: timedelta
    table_name: str
    board_retention: timedelta | None  # None: boards are kept in the index for as long as they exist
    rebuild_elements_per_second: int  # 0: unpaced
    admin_api_key_id: str = ""  # AdminAuth=API_KEY: the admin key's id, which admin routes require; "" under IAM
    read_cache: timedelta = timedelta(seconds=2)  # how old a page may be when served; 0: every read asks Momento
    momento_timeout: timedelta = timedelta(milliseconds=DEFAULT_MOMENTO_TIMEOUT_MS)  # each Momento call's deadline
    clock_offset: timedelta = timedelta(0)  # local runs only: how far the stack's clock is from the system's


@cache
def settings() -> Settings:
    return Settings(
        api_key_parameter=_required("MOMENTO_API_KEY_PARAM_NAME"),
        cache_name=_required("MOMENTO_CACHE_NAME"),
        leaderboard_ttl=_seconds(
            "LEADERBOARD_TTL_SECONDS", default=MOMENTO_MAX_TTL_SECONDS, low=1, high=MOMENTO_MAX_TTL_SECONDS
        ),
        momento_endpoint=_optional("MOMENTO_ENDPOINT"),
        momento_local_address=_optional("MOMENTO_LOCAL_ADDRESS"),
        cors_allow_origin=_optional("CORS_ALLOW_ORIGIN") or "*",
        # How long the fetched key is trusted, and how long past that a cached key keeps serving when SSM is down.
        api_key_cache=_seconds("MOMENTO_API_KEY_CACHE_SECONDS", default=300, low=0, high=A_DAY),
        api_key_grace=_seconds("MOMENTO_API_KEY_GRACE_SECONDS", default=900, low=0, high=A_DAY),
        table_name=_required("LEADERBOARD_TABLE_NAME"),
        board_retention=_days_or_forever("BOARD_RETENTION_DAYS"),
        rebuild_elements_per_second=_whole("REBUILD_ELEMENTS_PER_SECOND", default=50, low=0, high=1_000_000),
        admin_api_key_id=_optional("ADMIN_API_KEY_ID") or "",
        read_cache=_seconds("READ_CACHE_SECONDS", default=2, low=0, high=MAX_READ_CACHE_SECONDS),
        momento_timeout=timedelta(
            milliseconds=_whole(
                "MOMENTO_TIMEOUT_MS",
                default=DEFAULT_MOMENTO_TIMEOUT_MS,
                low=MIN_MOMENTO_TIMEOUT_MS,
                high=MAX_MOMENTO_TIMEOUT_MS,
                unit="milliseconds",
            )
        ),
        clock_offset=_clock_offset(),
    )


def _optional(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def _required(name: str) -> str:
    value = _optional(name)
    if value is None:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def _seconds(name: str, *, default: int, low: int, high: int) -> timedelta:
    """A whole number of seconds within [low, high]; unset or empty means the default."""
    return timedelta(seconds=_whole(name, default=default, low=low, high=high, unit="seconds"))


def _days_or_forever(name: str) -> timedelta | None:
    """A whole number of days, 0 (or unset) meaning forever."""
    days = _whole(name, default=0, low=0, high=36_500, unit="days")
    return timedelta(days=days) if days else None


def _clock_offset() -> timedelta:
    """A number of seconds, negative too (a stack started in the past), within a century either way."""
    raw = _optional(CLOCK_OFFSET_VARIABLE)
    if raw is None:
        return timedelta(0)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not abs(seconds) <= MAX_CLOCK_OFFSET_SECONDS:  # NaN fails this too
        raise ConfigurationError(
            f"{CLOCK_OFFSET_VARIABLE} must be a number of seconds from -{MAX_CLOCK_OFFSET_SECONDS} to "
            f"{MAX_CLOCK_OFFSET_SECONDS} (local runs: make dev NOW=...), got {raw!r}"
        )
    return timedelta(seconds=seconds)


def _whole(name: str, *, default: int, low: int, high: int, unit: str = "") -> int:
    raw = _optional(name)
    value = default if raw is None else int(raw) if raw.isascii() and raw.isdigit() else None
    if value is None or not low <= value <= high:
        what = f"a whole number of {unit}" if unit else "a whole number"
        raise ConfigurationError(f"{name} must be {what} from {low} to {high}, got {raw!r}")
    return value
