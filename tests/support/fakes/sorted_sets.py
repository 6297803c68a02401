"""Sorted sets as Momento keeps them, in memory: the few primitives the index is built on, with Momento's rules.

- Order: ascending is by score, then by the value's UTF-8 bytes; descending is the exact reverse (so ties run by
  bytes descending). Ranks are 0-based positions in the order asked for.
- A set exists while it holds an element and has not expired; a removal that empties it deletes it, and a read of
  a missing set answers None (a Miss), a length 0.
- A write that creates a set gives it the TTL; every write refreshes it (the index writes with refresh_ttl).
  `increase_ttl` only ever lengthens it, and answers False for a missing set.
- A set is one item of at most `max_bytes`, each element costing its value's bytes plus 8 for the score; a write
  that would pass that is refused whole (SetTooLargeError) and changes nothing.

Not thread-safe: the caller (the fake index) makes each of its port calls one step under its own lock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

SCORE_BYTES = 8
MAX_SET_BYTES = 5 * 1024 * 1024  # Momento's item size cap: a whole sorted set is one item


class SetTooLargeError(Exception):
    """The write would grow the set past its size cap; nothing was written."""


@dataclass
class _Set:
    scores: dict[bytes, float] = field(default_factory=dict)
    ordered: list[tuple[float, bytes]] = field(default_factory=list)  # ascending (score, value bytes)
    size_bytes: int = 0
    expires_at: float = math.inf


@dataclass(frozen=True)
class Bound:
    """One end of a score range (None: unbounded)."""

    score: float | None = None
    exclusive: bool = False


class FakeSortedSets:
    """Named sorted sets (any hashable name) holding str values, expiring by `clock`."""

    def __init__(self, clock: Callable[[], float], max_bytes: int = MAX_SET_BYTES) -> None:
        self._clock = clock
        self.max_bytes = max_bytes
        self._sets: dict[Hashable, _Set] = {}

    # --- writes ----------------------------------------------------------------------------------------------------

    def put(self, name: Hashable, elements: Mapping[str, float], ttl_s: float) -> None:
        """Adds or re-scores the elements in one write, creating the set (with the TTL) or refreshing its TTL."""
        members = self._live(name) or _Set()
        encoded = {value.encode("utf-8"): float(score) for value, score in elements.items()}
        grown = sum(len(value) + SCORE_BYTES for value in encoded if value not in members.scores)
        if members.size_bytes + grown > self.max_bytes:
            raise SetTooLargeError(name)
        for value, score in encoded.items():
            old = members.scores.get(value)
            if old is not None:
                members.ordered.pop(bisect.bisect_left(members.ordered, (old, value)))
            else:
                members.size_bytes += len(value) + SCORE_BYTES
            members.scores[value] = score
            bisect.insort(members.ordered, (score, value))
        if members.scores:  # a write of no elements creates nothing
            members.expires_at = self._clock() + ttl_s
            self._sets[name] = members

    def remove(self, name: Hashable, values: Sequence[str]) -> None:
        members = self._live(name)
        if members is None:
            return
        for value in (v.encode("utf-8") for v in values):
            old = members.scores.pop(value, None)
            if old is not None:
                members.ordered.pop(bisect.bisect_left(members.ordered, (old, value)))
                members.size_bytes -= len(value) + SCORE_BYTES
        if not members.scores:
            del self._sets[name]

    def delete(self, name: Hashable) -> None:
        self._sets.pop(name, None)

    def delete_all(self) -> None:
        self._sets.clear()

    def increase_ttl(self, name: Hashable, ttl_s: float) -> bool:
        """Raises the set's TTL to `ttl_s` from now if that lengthens it; False when there is no set."""
        members = self._live(name)
        if members is None:
            return False
        members.expires_at = max(members.expires_at, self._clock() + ttl_s)
        return True

    # --- reads -----------------------------------------------------------------------------------------------------

    def exists(self, name: Hashable) -> bool:
        return self._live(name) is not None

    def expires_at(self, name: Hashable) -> float | None:
        members = self._live(name)
        return None if members is None else members.expires_at

    def scores(self, name: Hashable, values: Sequence[str]) -> list[float | None] | None:
        """Each value's score (None: not in the set); None when there is no set."""
        members = self._live(name)
        if members is None:
            return None
        return [members.scores.get(value.encode("utf-8")) for value in values]

    def rank(self, name: Hashable, value: str, descending: bool) -> int | None:
        """The value's 0-based position in the order asked for; None when it (or the set) is not there."""
        members = self._live(name)
        if members is None:
            return None
        encoded = value.encode("utf-8")
        score = members.scores.get(encoded)
        if score is None:
            return None
        ascending = bisect.bisect_left(members.ordered, (score, encoded))
        return len(members.ordered) - 1 - ascending if descending else ascending

    def by_rank(self, name: Hashable, start: int, end: int, descending: bool) -> list[tuple[str, float]] | None:
        """Elements at positions [start, end) of the order asked for (clipped to the set); None when no set."""
        members = self._live(name)
        if members is None:
            return None
        n = len(members.ordered)
        lo, hi, _ = slice(start, end).indices(n)
        if lo >= hi:
            return []
        picked = members.ordered[n - hi : n - lo][::-1] if descending else members.ordered[lo:hi]
        return [(value.decode("utf-8"), score) for score, value in picked]

    def length(self, name: Hashable) -> int:
        members = self._live(name)
        return 0 if members is None else len(members.scores)

    def length_by_score(self, name: Hashable, low: Bound, high: Bound) -> int:
        """Elements whose score lies within the bounds (0 when there is no set)."""
        members = self._live(name)
        if members is None:
            return 0
        return sum(1 for score in members.scores.values() if _above(score, low) and _below(score, high))

    def names(self) -> list[Hashable]:
        """The sets that exist now."""
        return [name for name in list(self._sets) if self._live(name) is not None]

    def _live(self, name: Hashable) -> _Set | None:
        members = self._sets.get(name)
        if members is None:
            return None
        if members.expires_at <= self._clock():
            del self._sets[name]
            return None
        return members


def _above(score: float, bound: Bound) -> bool:
    if bound.score is None:
        return True
    return score > bound.score if bound.exclusive else score >= bound.score


def _below(score: float, bound: Bound) -> bool:
    if bound.score is None:
        return True
    return score < bound.score if bound.exclusive else score <= bound.score
