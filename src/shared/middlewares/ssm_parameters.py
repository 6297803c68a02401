"""Fetches SSM parameters (decrypted) into the invocation context, never into os.environ.

A parameter source (see parameter_sources: Powertools parameters, or the Lambda extension) fetches and caches
(`max_age` = `cache_expiry`). On top of it, what no library does: when a refresh fails while a value is cached,
the cached value keeps serving for `grace_period` past its expiry (with a warning), so a short SSM outage does not
take the API down; with no value at all, the answer is 503.
Each value is set on the context as a `Secret`, which never prints its value and can force a re-fetch (used when
Momento rejects a rotated key).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from shared.http_errors import service_unavailable
from shared.middy import Hooks, Request
from shared.observability import logger
from shared.parameter_sources import ParameterSource, default_source

DEFAULT_CACHE_EXPIRY = timedelta(minutes=5)
DEFAULT_GRACE_PERIOD = timedelta(minutes=15)
# Short timeouts and one retry: an SSM outage must end in a 503 well inside the function's timeout.
CONFIGURATION_UNAVAILABLE = "The service's configuration is temporarily unavailable; retry shortly."


class ParameterUnavailableError(RuntimeError):
    """The parameter could not be fetched and no usable cached value exists."""


class CachedParameter:
    """One parameter: fetched and cached by Powertools, served stale within the grace period when SSM fails."""

    def __init__(
        self,
        name: str,
        source: ParameterSource,
        cache_expiry: timedelta = DEFAULT_CACHE_EXPIRY,
        grace_period: timedelta = DEFAULT_GRACE_PERIOD,
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
        raise ParameterUnavailableError(self.name) from error


class Secret:
    """A fetched secret: `reveal()` gives the value, `refresh()` re-fetches it; printing it never shows it."""

    __slots__ = ("_parameter", "_value")

    def __init__(self, parameter: CachedParameter, value: str) -> None:
        self._parameter = parameter
        self._value = value

    def reveal(self) -> str:
        return self._value

    def refresh(self) -> Secret:
        """A new Secret with the value fetched from SSM now, bypassing every cache (raises if SSM fails)."""
        return Secret(self._parameter, self._parameter.get(force_refresh=True))

    def __repr__(self) -> str:
        return f"Secret({self._parameter.name!r}, value=***)"

    __str__ = __repr__


def ssm_parameters(
    fetch: Mapping[str, str],
    cache_expiry: timedelta = DEFAULT_CACHE_EXPIRY,
    grace_period: timedelta = DEFAULT_GRACE_PERIOD,
    source: ParameterSource | None = None,
) -> Hooks:
    """`fetch` maps a context attribute to a parameter name: `{"momento_api_key": "/leaderboard-api/dev/..."}`."""
    ssm = source or default_source()
    parameters = {key: CachedParameter(name, ssm, cache_expiry, grace_period) for key, name in fetch.items()}

    def before(request: Request) -> None:
        for key, parameter in parameters.items():
            try:
                value = parameter.get()
            except ParameterUnavailableError:
                raise service_unavailable(
                    "The service's configuration is temporarily unavailable; retry shortly."
                ) from None
            setattr(request.context, key, Secret(parameter, value))

    return Hooks(before=before)
