"""Operations counted the way Momento counts them, per RPC, and an optional operations-per-second limit.

Two published rules, because Momento documents two counts:

- Usage (what the meter calls `operations`), from https://docs.momentohq.com/cache/manage/operations: the base count
  is the number of 1024-byte chunks (rounded up) in each item or collection element the call transfers, request and
  response; when the call transfers no item or element, its user-supplied data (the key or the set name) is treated
  as one item; the count is multiplied by the API's complexity factor (2 for every SetIf condition, 1 otherwise);
  every validly-authenticated call costs at least 1 operation.
- The rate limiter (what the meter calls `limit_operations`), from https://docs.momentohq.com/cache/limits:
  multi-element APIs count one operation per two elements (rounded up): SortedSetPutElements and SortedSetGetScores
  by the elements in the request, SortedSetFetchByRank/ByScore by the elements in the response or 1 if the set is
  not found; every other API costs 1. The default limit is 100 operations per second.

Sizes: a sorted-set element is its value's bytes plus 8 for a score when a score travels with it; a scalar item is
its key plus its value when written, its value when read.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from momento_wire_types import cacheclient_pb2 as pb

CHUNK_BYTES = 1024
SCORE_BYTES = 8
DEFAULT_OPS_PER_SECOND = 100  # Momento's default soft limit per region
WINDOW_S = 1.0
SET_IF_FACTOR = 2  # SetIfAbsent, SetIfPresent, SetIfEqual, ...: the `SetIf` RPC with any condition


def _chunks(size: int) -> int:
    return math.ceil(size / CHUNK_BYTES)


def _elements(sizes: Iterable[int]) -> int:
    """Chunks of each element or item, each rounded up on its own (an element of 0 bytes still is one)."""
    return sum(max(1, _chunks(size)) for size in sizes)


def _half(count: int) -> int:
    return math.ceil(count / 2)


def _fetched(response: Any) -> list[int] | None:
    """Sizes of the elements a SortedSetFetch answered, or None if the set was missing."""
    if response is None or response.WhichOneof("sorted_set") != "found":
        return None
    found = response.found
    if found.WhichOneof("elements") == "values_with_scores":
        return [len(e.value) + SCORE_BYTES for e in found.values_with_scores.elements]
    return [len(v) for v in found.values.values]


def billed_operations(rpc: str, request: Any, response: Any | None) -> int:
    """Momento's usage count for one call of `rpc` (kebab-case name); `response` is None if the call failed."""
    items: list[int] = []  # sizes of the items or elements the call transferred
    named = 0  # the user-supplied data of a call that transfers no item or element
    factor = 1
    match rpc:
        case "sorted-set-put":
            items = [len(e.value) + SCORE_BYTES for e in request.elements]
        case "sorted-set-increment":
            items = [len(request.value) + SCORE_BYTES]
        case "sorted-set-fetch":
            items = _fetched(response) or []
        case "sorted-set-get-score":
            hits: list[bool] = []
            if response is not None and response.WhichOneof("sorted_set") == "found":
                hits = [part.result == pb.Hit for part in response.found.elements]
            items = [len(v) + (SCORE_BYTES if i < len(hits) and hits[i] else 0) for i, v in enumerate(request.values)]
        case "sorted-set-get-rank":
            items = [len(request.value)]
        case "sorted-set-remove":
            items = [len(v) for v in request.some.values] if request.WhichOneof("remove_elements") == "some" else []
        case "get":
            items = [len(response.cache_body)] if response is not None and response.cache_body else []
        case "set" | "set-if-not-exists":
            items = [len(request.cache_key) + len(request.cache_body)]
        case "set-if":
            items = [len(request.cache_key) + len(request.cache_body)]
            factor = SET_IF_FACTOR
    if not items:
        named = _chunks(len(getattr(request, "set_name", b"") or getattr(request, "cache_key", b"")))
    return max(1, factor * (_elements(items) + named))


def limit_operations(rpc: str, request: Any, response: Any | None) -> int:
    """What one call costs against the rate limiter; with `response=None`, what is known before doing the work."""
    match rpc:
        case "sorted-set-put":
            return max(1, _half(len(request.elements)))
        case "sorted-set-get-score":
            return max(1, _half(len(request.values)))
        case "sorted-set-fetch":
            fetched = _fetched(response)
            return 1 if fetched is None else max(1, _half(len(fetched)))
    return 1


@dataclass
class Usage:
    """Totals for one RPC (or all): calls served, their operations, their limiter cost, and calls refused."""

    requests: int = 0
    operations: int = 0
    limit_operations: int = 0
    throttled: int = 0


@dataclass(frozen=True)
class MeterSnapshot:
    per_rpc: dict[str, Usage] = field(default_factory=dict)

    @property
    def total(self) -> Usage:
        total = Usage()
        for usage in self.per_rpc.values():
            total.requests += usage.requests
            total.operations += usage.operations
            total.limit_operations += usage.limit_operations
            total.throttled += usage.throttled
        return total

    def operations(self, rpc: str | None = None) -> int:
        return (self.total if rpc is None else self.per_rpc.get(rpc, Usage())).operations

    def format(self) -> str:
        """A table: one row per RPC, then the total."""
        rows: list[list[str]] = [["rpc", "requests", "operations", "limit-ops", "throttled"]]
        for rpc, usage in [*sorted(self.per_rpc.items()), ("total", self.total)]:
            rows.append([rpc, *map(str, (usage.requests, usage.operations, usage.limit_operations, usage.throttled))])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows
        )


class Meter:
    """Thread-safe totals per RPC, and the optional limit over a sliding one-second window of limiter operations."""

    def __init__(self, ops_per_second: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._usage: dict[str, Usage] = {}
        self._window: deque[tuple[float, int]] = deque()
        self._in_window = 0
        self._clock = clock
        self.ops_per_second = ops_per_second

    def admit(self, rpc: str, request: Any) -> int | None:
        """Reserves what the request is known to cost against the limit; None (and counted) if over the limit."""
        cost = limit_operations(rpc, request, None)
        with self._lock:
            now = self._clock()
            while self._window and self._window[0][0] <= now - WINDOW_S:
                self._in_window -= self._window.popleft()[1]
            if self.ops_per_second is not None and self._in_window + cost > self.ops_per_second:
                self._usage.setdefault(rpc, Usage()).throttled += 1
                return None
            self._window.append((now, cost))
            self._in_window += cost
        return cost

    def record(self, rpc: str, request: Any, response: Any | None, reserved: int) -> None:
        """Counts a served call; its limiter cost beyond what `admit` reserved (a fetch's page) joins the window."""
        operations = billed_operations(rpc, request, response)
        limit_cost = limit_operations(rpc, request, response) if response is not None else reserved
        with self._lock:
            usage = self._usage.setdefault(rpc, Usage())
            usage.requests += 1
            usage.operations += operations
            usage.limit_operations += limit_cost
            if limit_cost > reserved:
                self._window.append((self._clock(), limit_cost - reserved))
                self._in_window += limit_cost - reserved

    def snapshot(self) -> MeterSnapshot:
        with self._lock:
            return MeterSnapshot({rpc: Usage(**vars(usage)) for rpc, usage in self._usage.items()})

    def reset(self) -> None:
        """Zeroes the totals and empties the limiter's window (the limit itself stays)."""
        with self._lock:
            self._usage.clear()
            self._window.clear()
            self._in_window = 0
