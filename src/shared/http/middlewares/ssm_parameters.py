"""Fetches an SSM parameter (decrypted) into a slot of the request, never into os.environ.

A parameter source (see parameter_sources: Powertools parameters, or the Lambda extension) fetches and caches
(`max_age` = `cache_expiry`). On top of it, what no library does: when a refresh fails while a value is cached,
the cached value keeps serving for `grace_period` past its expiry (with a warning), so a short SSM outage does not
take the API down; with no value at all, the request fails with KeyUnavailable.
The value reaches the handler as a `Secret`, which never prints its value and can force a re-fetch (used when
Momento rejects a rotated key).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from shared.domain.errors import KeyUnavailable
from shared.http.middy import Hooks, Request, Slot
from shared.platform.config import Settings
from shared.platform.observability import logger
from shared.platform.parameter_sources import ParameterSource, default_source
from shared.platform.secret import Secret


class CachedParameter:
    """One parameter: fetched and cached by its source, served stale within the grace period when SSM fails."""

    def __init__(
        self,
        name: str,
        source: ParameterSource,
        cache_expiry: timedelta,
        grace_period: timedelta,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._source = source
        self._max_age = cache_expiry.total_seconds()
        self._grace = grace_period.total_seconds()
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._fetched_at = 0.0

    def get(self, force_refresh: bool = False) -> str:
        with self._lock:
            now = self._clock()
            if not force_refresh and self._value is not None and now - self._fetched_at < self._max_age:
                return self._value  # fresh: the source's cache would answer the same, at a higher price per request
            try:
                value = self._source.get(self.name, max_age=int(self._max_age), force_fetch=force_refresh)
            except Exception as error:
                return self._stale_or_raise(now, error, force_refresh)
            # Only a forced or an expired read reaches the source, whose cache expires when ours does: it fetched.
            self._fetched_at = now
            self._value = value
            return value

    def secret(self, force_refresh: bool = False) -> Secret:
        return Secret(self.name, self.get(force_refresh), lambda: self.get(force_refresh=True))

    def _stale_or_raise(self, now: float, error: Exception, force_refresh: bool) -> str:
        age = now - self._fetched_at
        if self._value is not None and not force_refresh and age < self._max_age + self._grace:
            logger.warning(
                "Could not refresh an SSM parameter; serving the cached value within its grace period",
                extra={"parameter": self.name, "error": type(error).__name__, "age_seconds": round(age)},
            )
            return self._value
        logger.error(
            "Could not fetch an SSM parameter",
            extra={"parameter": self.name, "error": type(error).__name__, "forced": force_refresh},
        )
        raise KeyUnavailable(f"could not fetch the SSM parameter {self.name}") from error


def api_key_parameter(config: Settings) -> CachedParameter:
    """The Momento API key's parameter as the function's configuration names it, cached and graced as it says."""
    return CachedParameter(config.api_key_parameter, default_source(), config.api_key_cache, config.api_key_grace)


def ssm_parameter(parameter: CachedParameter, into: Slot[Secret]) -> Hooks:
    """Puts the parameter into the slot `into` of every request, as a Secret."""

    def before(request: Request) -> None:
        into.put(request, parameter.secret())

    return Hooks(before=before)
