"""Shared (competition) ranks over a fetched page: players with equal scores take the rank of the first of them.

Momento ranks ties distinctly (by the value's bytes), so a page of a `ties: shared` board is fetched with up to
SHARED_CONTEXT entries above it: a tie that starts among them gives its rank from the same call; one that runs past
them all is counted (one SortedSetLengthByScore call, passed in as `count_better`).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from shared.domain.rules import BoardSettings, Entry

# Entries fetched above a page with shared ranks, to find where a tie running into it starts without a count.
SHARED_CONTEXT = 20


def context_above(rules: BoardSettings, first: int) -> int:
    """Entries to fetch above a page or window: with shared ranks, enough that a tie reaching into it usually
    starts among them (no extra count); none otherwise."""
    return min(SHARED_CONTEXT, first) if rules.ties == "shared" else 0


def share(
    entries: list[Entry], before: list[Entry], rules: BoardSettings, count_better: Callable[[float], int]
) -> list[Entry]:
    """Entries with shared (competition) ranks when the board's ties say so: an entry equal to the one before
    takes its rank. `before`: the entries fetched just above the first (SHARED_CONTEXT of them): a tie with the
    first that starts among them gives its rank; one that runs past them all is counted."""
    if rules.ties != "shared" or not entries:
        return entries
    rank = entries[0].rank
    tied = [e for e in before if e.score == entries[0].score]
    if tied:
        reaches_past = tied[0] is before[0] and tied[0].rank > 0
        rank = count_better(entries[0].score) if reaches_past else tied[0].rank
    shared = [entries[0]._replace(rank=rank)]
    for previous, entry in pairwise(entries):
        shared.append(entry._replace(rank=shared[-1].rank if entry.score == previous.score else entry.rank))
    return shared
