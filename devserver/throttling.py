"""API Gateway's throttling of a stage, as the template's MethodSettings set it: each request takes a token from the
bucket of the setting that applies to its method, and one that finds none is answered 429 (THROTTLED) before any
function runs, as API Gateway answers it.

A bucket holds up to its burst and refills at its steady rate (API Gateway's token bucket). A setting names a
resource path (`/` escaped as `~1`, `/*` for every resource) and a method (`*` for every method); the most specific
setting for a request's route applies, so a method's own limit replaces the stage-wide one, as in API Gateway.
Usage plans (per-key throttles and quotas) are not emulated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ALL_RESOURCES = "/*"
ALL_METHODS = "*"


@dataclass(frozen=True)
class ThrottleSpec:
    """One MethodSettings entry's throttle: requests per second (steady) and the burst a bucket holds."""

    resource_path: str  # as the template writes it: "/*", or "/~1{leaderboard}" for /{leaderboard}
    http_method: str  # "*" or GET, POST, ...
    rate: float
    burst: int

    def matches(self, resource: str, method: str) -> bool:
        return self.resource_path in (ALL_RESOURCES, encode_path(resource)) and self.http_method in (
            ALL_METHODS,
            method,
        )

    @property
    def specificity(self) -> int:
        return (self.resource_path != ALL_RESOURCES) * 2 + (self.http_method != ALL_METHODS)


def encode_path(resource: str) -> str:
    """A route's resource as MethodSettings names it: a `/`, then the path with every `/` escaped as `~1`
    (`/{leaderboard}` is `/~1{leaderboard}`)."""
    return "/" + resource.replace("/", "~1")


def throttle_specs(method_settings: Iterable[Mapping[str, Any]]) -> tuple[ThrottleSpec, ...]:
    """The throttles of a resolved MethodSettings list (entries without a rate or a burst set none)."""
    specs = []
    for setting in method_settings:
        rate, burst = setting.get("ThrottlingRateLimit"), setting.get("ThrottlingBurstLimit")
        if rate is None or burst is None:
            continue
        specs.append(
            ThrottleSpec(
                str(setting.get("ResourcePath", ALL_RESOURCES)),
                str(setting.get("HttpMethod", ALL_METHODS)).upper(),
                float(rate),
                int(burst),
            )
        )
    return tuple(specs)


class _Bucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate, self._burst, self._clock = rate, burst, clock
        self._tokens, self._at = float(burst), clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
            self._at = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


class Throttles:
    """The stage's buckets: one per setting, shared by every route it applies to (a stage-wide setting is one
    bucket for the whole stage, as in API Gateway)."""

    def __init__(self, specs: Iterable[ThrottleSpec], clock: Callable[[], float] = time.monotonic) -> None:
        self._specs = sorted(specs, key=lambda spec: -spec.specificity)
        self._buckets = {spec: _Bucket(spec.rate, spec.burst, clock) for spec in self._specs}

    def admit(self, resource: str, method: str) -> bool:
        """Whether a request to this route may go on (it took a token), or is throttled."""
        spec = next((spec for spec in self._specs if spec.matches(resource, method)), None)
        return spec is None or self._buckets[spec].take()
