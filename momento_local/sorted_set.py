"""One sorted set with Momento's ordering rules, in O(log n) per lookup and per write.

Elements are kept twice: a dict for value -> score, and a SortedList of (score, value) tuples whose natural order is
exactly Momento's ascending order (score, then value bytes). Descending order is the exact reverse, so a descending
rank r is ascending index n - 1 - r. Not thread-safe: the store serialises access.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sortedcontainers import SortedList

# Bytes a score occupies in the item-size accounting (a double), on top of each value's own bytes.
SCORE_BYTES = 8


@dataclass(frozen=True)
class ScoreBound:
    """One end of a score range; `None` score means unbounded."""

    score: float | None = None
    exclusive: bool = False


class SortedSet:
    def __init__(self) -> None:
        self._scores: dict[bytes, float] = {}
        self._ordered = SortedList()
        self.size_bytes = 0

    def __len__(self) -> int:
        return len(self._scores)

    def score_of(self, value: bytes) -> float | None:
        return self._scores.get(value)

    def size_after_put(self, elements: Iterable[tuple[bytes, float]]) -> int:
        """Item size the set would have after `put(elements)`, so an oversized write can be refused atomically."""
        size = self.size_bytes
        seen: set[bytes] = set()
        for value, _ in elements:
            if value not in self._scores and value not in seen:
                size += len(value) + SCORE_BYTES
                seen.add(value)
        return size

    def put(self, value: bytes, score: float) -> None:
        old = self._scores.get(value)
        if old is not None:
            if old == score and math.copysign(1.0, old) == math.copysign(1.0, score):
                return
            self._ordered.remove((old, value))
        else:
            self.size_bytes += len(value) + SCORE_BYTES
        self._scores[value] = score
        self._ordered.add((score, value))

    def remove(self, value: bytes) -> None:
        old = self._scores.pop(value, None)
        if old is not None:
            self._ordered.remove((old, value))
            self.size_bytes -= len(value) + SCORE_BYTES

    def rank(self, value: bytes, descending: bool) -> int | None:
        score = self._scores.get(value)
        if score is None:
            return None
        ascending_rank: int = self._ordered.bisect_left((score, value))
        return len(self) - 1 - ascending_rank if descending else ascending_rank

    def by_index(self, start: int | None, end: int | None, descending: bool) -> list[tuple[bytes, float]]:
        """Elements at ranks [start, end) of the requested order; negatives count from the end, out of range clips."""
        n = len(self)
        lo, hi, _ = slice(start, end).indices(n)
        if lo >= hi:
            return []
        if descending:
            return _swap(self._ordered.islice(n - hi, n - lo, reverse=True))
        return _swap(self._ordered.islice(lo, hi))

    def by_score(
        self, low: ScoreBound, high: ScoreBound, descending: bool, offset: int, count: int
    ) -> list[tuple[bytes, float]]:
        """Elements within the bounds in the requested order, skipping `offset`, at most `count` (negative: all)."""
        lo, hi = self._score_window(low, high)
        # Skip `offset` and keep `count` from the end the requested order starts at.
        if descending:
            hi -= offset
            if count >= 0:
                lo = max(lo, hi - count)
        else:
            lo += offset
            if count >= 0:
                hi = min(hi, lo + count)
        if lo >= hi:
            return []
        return _swap(self._ordered.islice(lo, hi, reverse=descending))

    def count_by_score(self, low: ScoreBound, high: ScoreBound) -> int:
        lo, hi = self._score_window(low, high)
        return max(0, hi - lo)

    def _score_window(self, low: ScoreBound, high: ScoreBound) -> tuple[int, int]:
        """Ascending index range [lo, hi) of the elements whose scores lie within the bounds."""
        lo = 0 if low.score is None else self._bisect_score(low.score, past_equal=low.exclusive)
        hi = len(self) if high.score is None else self._bisect_score(high.score, past_equal=not high.exclusive)
        return lo, hi

    def _bisect_score(self, score: float, past_equal: bool) -> int:
        """Index of the first element whose score is >= `score`, or > `score` when `past_equal`."""
        if past_equal:
            if score == math.inf:
                return len(self)
            score = math.nextafter(score, math.inf)
        # b"" sorts before every value, so this lands on the first element with that score.
        index: int = self._ordered.bisect_left((score, b""))
        return index


def _swap(pairs: Iterator[tuple[float, bytes]]) -> list[tuple[bytes, float]]:
    return [(value, score) for score, value in pairs]
