"""Fault injection compatible with upstream momento-local's request-metadata switches, plus a server-wide switch.

A request may carry:
- `return-error`: the error to answer with (`unavailable`, `resource-exhausted`, `deadline-exceeded`, `internal`, ...);
- `error-rpcs`: space-separated RPC names (`sorted-set-put`, `sorted-set-fetch`, ...) it applies to (absent: all);
- `error-count`: how many requests of the same `request-id` get the error (absent: every one);
- `delay-ms`, `delay-rpcs`, `delay-count`: the same for a delay before the RPC runs.
Counts are kept per `request-id`, as upstream does, so a retried call (same id) sees the error the first N times.

Application code cannot add metadata to its SDK calls, so `Faults.set(...)` installs the same rule for every request
that carries no switches of its own; that is how tests make Momento fail under a real handler.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import grpc

ERROR_CODES: dict[str, grpc.StatusCode] = {
    "invalid-argument": grpc.StatusCode.INVALID_ARGUMENT,
    "unknown": grpc.StatusCode.UNKNOWN,
    "already-exists": grpc.StatusCode.ALREADY_EXISTS,
    "not-found": grpc.StatusCode.NOT_FOUND,
    "internal": grpc.StatusCode.INTERNAL,
    "permission-denied": grpc.StatusCode.PERMISSION_DENIED,
    "unauthenticated": grpc.StatusCode.UNAUTHENTICATED,
    "cancelled": grpc.StatusCode.CANCELLED,
    "resource-exhausted": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "deadline-exceeded": grpc.StatusCode.DEADLINE_EXCEEDED,
    "unavailable": grpc.StatusCode.UNAVAILABLE,
    "failed-precondition": grpc.StatusCode.FAILED_PRECONDITION,
}

# What an injected RESOURCE_EXHAUSTED names as its cause, as the real service does in the `err` trailer.
DEFAULT_LIMIT_ERROR = "operations_rate_limit_exceeded"


def rpc_metadata_name(method: str) -> str:
    """`/cache_client.Scs/SortedSetPut` -> `sorted-set-put`: the RPC names the metadata switches use."""
    name = method.rsplit("/", 1)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


@dataclass(frozen=True)
class Rule:
    """One fault: an error and/or a delay, each limited to some RPCs and to a number of requests."""

    return_error: str | None = None
    error_rpcs: frozenset[str] | None = None
    error_count: int | None = None
    delay_ms: int = 0
    delay_rpcs: frozenset[str] | None = None
    delay_count: int | None = None
    limit_error: str = DEFAULT_LIMIT_ERROR
    error_after: int = 0  # matching requests that pass before the error starts (server-wide rules only)

    def __post_init__(self) -> None:
        if self.return_error is not None and self.return_error not in ERROR_CODES:
            raise ValueError(f"unknown return-error {self.return_error!r}; expected one of {sorted(ERROR_CODES)}")

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str]) -> Rule | None:
        """The rule a request's own metadata asks for, or None when it carries no switches."""
        if not any(k in metadata for k in ("return-error", "delay-ms")):
            return None
        try:
            return cls(
                return_error=metadata.get("return-error") or None,
                error_rpcs=_rpc_set(metadata.get("error-rpcs")),
                error_count=_int_or_none(metadata.get("error-count")),
                delay_ms=_int_or_none(metadata.get("delay-ms")) or 0,
                delay_rpcs=_rpc_set(metadata.get("delay-rpcs")),
                delay_count=_int_or_none(metadata.get("delay-count")),
            )
        except ValueError:
            return None


@dataclass
class Decision:
    """What to do to one request: wait `delay_s`, then fail with `error` (or run normally)."""

    delay_s: float = 0.0
    error: grpc.StatusCode | None = None
    trailers: tuple[tuple[str, str], ...] = ()


@dataclass
class _Counters:
    errors: dict[str, int] = field(default_factory=dict)
    delays: dict[str, int] = field(default_factory=dict)
    passed: dict[str, int] = field(default_factory=dict)


class Faults:
    """Decides, per request, whether to delay it and whether to fail it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server_rule: Rule | None = None
        self._server_counters = _Counters()
        self._request_counters = _Counters()

    def set(
        self,
        *,
        return_error: str | None = None,
        error_rpcs: Iterable[str] | None = None,
        error_count: int | None = None,
        delay_ms: int = 0,
        delay_rpcs: Iterable[str] | None = None,
        delay_count: int | None = None,
        limit_error: str = DEFAULT_LIMIT_ERROR,
        error_after: int = 0,
    ) -> None:
        """Applies a fault to every request that carries no switches; counts run across all such requests.

        `error_after` lets that many matching requests through first (fail the second batch of a rebuild, say)."""
        rule = Rule(
            return_error=return_error,
            error_rpcs=frozenset(error_rpcs) if error_rpcs is not None else None,
            error_count=error_count,
            delay_ms=delay_ms,
            delay_rpcs=frozenset(delay_rpcs) if delay_rpcs is not None else None,
            delay_count=delay_count,
            limit_error=limit_error,
            error_after=error_after,
        )
        with self._lock:
            self._server_rule = rule
            self._server_counters = _Counters()

    def clear(self) -> None:
        with self._lock:
            self._server_rule = None
            self._server_counters = _Counters()
            self._request_counters = _Counters()

    def decide(self, rpc: str, metadata: Mapping[str, str]) -> Decision:
        own_rule = Rule.from_metadata(metadata)
        with self._lock:
            if own_rule is not None:
                rule, counters, key = own_rule, self._request_counters, metadata.get("request-id", "")
            elif self._server_rule is not None:
                rule, counters, key = self._server_rule, self._server_counters, ""
            else:
                return Decision()
            decision = Decision()
            if rule.delay_ms > 0 and _applies(rule.delay_rpcs, rpc, rule.delay_count, counters.delays, key):
                decision.delay_s = rule.delay_ms / 1000.0
            failing = rule.return_error and not _passes(rule, rpc, counters, key)
            if failing and _applies(rule.error_rpcs, rpc, rule.error_count, counters.errors, key):
                decision.error = ERROR_CODES[str(rule.return_error)]
                if decision.error == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    decision.trailers = (("err", rule.limit_error),)
            return decision


def _applies(rpcs: frozenset[str] | None, rpc: str, limit: int | None, used: dict[str, int], key: str) -> bool:
    """True if the rule covers this RPC and its budget for this key is not spent; spends one if so."""
    if rpcs is not None and rpc not in rpcs:
        return False
    if limit is not None:
        if used.get(key, 0) >= limit:
            return False
        used[key] = used.get(key, 0) + 1
    return True


def _passes(rule: Rule, rpc: str, counters: _Counters, key: str) -> bool:
    """True while the rule still lets matching requests through (its `error_after`); counts one if so."""
    if rule.error_after == 0 or (rule.error_rpcs is not None and rpc not in rule.error_rpcs):
        return False
    if counters.passed.get(key, 0) >= rule.error_after:
        return False
    counters.passed[key] = counters.passed.get(key, 0) + 1
    return True


def _rpc_set(raw: str | None) -> frozenset[str] | None:
    return frozenset(raw.split()) if raw else None


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw not in (None, "") else None
