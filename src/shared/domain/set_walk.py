"""Reads every element of a sorted set in chunks while the service keeps writing to it, and misses none that matter.

Chunks by rank alone can miss a player: when a player above the chunk boundary drops below it (a lower score), every
player in between moves up one rank, and the one that moved into the chunk already read is never seen. Momento has
no snapshot and no cursor, so the walk anchors each chunk on the one before: a chunk starts OVERLAP ranks before
where the last one ended, and only what follows the last player it shares with that chunk (same player, same score)
is new. Why that is enough: the set orders elements by (score, value), so elements whose score did not change keep
their order; an element whose score changed was written by the service, which writes the record first, so the
record already holds it. When no anchor is in the chunk (the ranks moved by more than OVERLAP), the walk steps back
and reads again.

Pure: it sees the set only through `fetch`, so the tests drive it through any interleaving they like.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

CHUNK = 1_000
OVERLAP = 100

Element = tuple[str, float]  # (player, score)
Fetch = Callable[[int, int], list[Element]]  # ranks [start, end), highest score first; [] for a set that is gone


class SetGone(RuntimeError):  # noqa: N818 - read as `except SetGone`: what happened, not a bug
    """The set disappeared while it was read (it expired, or Momento flushed or evicted it)."""


def walk(fetch: Fetch, chunk: int = CHUNK, overlap: int = OVERLAP) -> Iterator[list[Element]]:
    """Every element of the set, chunk by chunk (an element may come twice; a copy must be idempotent)."""
    size = chunk + overlap
    start, step_back = 0, overlap
    previous: dict[str, float] = {}  # the last chunk read
    while True:
        window = fetch(start, start + size)
        if not window and start == 0:
            raise SetGone("the set is gone")
        anchor = _last_shared(window, previous)
        if anchor is None and start > 0:
            # The ranks moved by more than the overlap since the last chunk: read from further back.
            start, step_back = max(0, start - step_back), step_back * 2
            continue
        # From rank 0 there is nothing before the window to miss: all of it may be new.
        new = window[anchor + 1 :] if anchor is not None else window
        if new:
            yield new
        if len(window) < size:
            return
        previous, step_back = dict(window), overlap
        start += size - overlap


def _last_shared(window: list[Element], previous: dict[str, float]) -> int | None:
    """The index of the window's last element that the previous chunk held with the same score."""
    for index in range(len(window) - 1, -1, -1):
        player, score = window[index]
        if previous.get(player) == score:
            return index
    return None
