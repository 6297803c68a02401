"""The functions' configuration, read and validated once per execution environment (at cold start)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

MAX_TTL_SECONDS = 86_400  # Momento on-demand caches cap an item's TTL at 24 h


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed: a deployment mistake, reported as a 500 and logged."""


@dataclass(frozen=True)
class Settings:
    api_key_parameter: str
    cache_name: str
    leaderboard_ttl: timedelta
    momento_endpoint: str | None
    momento_local_address: str | None
    cors_allow_origin: str = "*"
    api_key_cache: timedelta = timedelta(minutes=5)
    api_key_grace: timedelta = timedelta(minutes=15)


@cache
def settings() -> Settings:
    return Settings(
        api_key_parameter=_required("MOMENTO_API_KEY_PARAM_NAME"),
        cache_name=_required("MOMENTO_CACHE_NAME"),
        leaderboard_ttl=timedelta(seconds=_ttl_seconds()),
        momento_endpoint=os.environ.get("MOMENTO_ENDPOINT") or None,
        momento_local_address=os.environ.get("MOMENTO_LOCAL_ADDRESS") or None,
        cors_allow_origin=os.environ.get("CORS_ALLOW_ORIGIN") or "*",
        # How long the fetched key is trusted, and how long past that a cached key keeps serving when SSM is down.
        api_key_cache=timedelta(seconds=_seconds("MOMENTO_API_KEY_CACHE_SECONDS", 300)),
        api_key_grace=timedelta(seconds=_seconds("MOMENTO_API_KEY_GRACE_SECONDS", 900)),
    )


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def _seconds(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit():
        raise ConfigurationError(f"{name} must be a whole number of seconds, got {raw!r}")
    return int(raw)


def _ttl_seconds() -> int:
    raw = os.environ.get("LEADERBOARD_TTL_SECONDS", str(MAX_TTL_SECONDS))
    try:
        seconds = int(raw)
    except ValueError:
        raise ConfigurationError(f"LEADERBOARD_TTL_SECONDS must be an integer, got {raw!r}") from None
    if not 1 <= seconds <= MAX_TTL_SECONDS:
        raise ConfigurationError(f"LEADERBOARD_TTL_SECONDS must be 1-{MAX_TTL_SECONDS}, got {seconds}")
    return seconds
