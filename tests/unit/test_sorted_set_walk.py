"""The walk of a sorted set that the service keeps writing to (src/shared/domain/set_walk.py): every player whose score
did not change while it ran is read; a player whose score changed was written by the service, so the record has it."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest

from shared.domain.set_walk import Element, SetGone, walk


class FakeSet:
    """A sorted set as Momento orders it (score, then value, highest first), changed by `between` before each
    fetch but the first; it notes every player whose score a change touched."""

    def __init__(self, members: dict[str, float], between: Callable[[FakeSet, int], None] | None = None) -> None:
        self.members = dict(members)
        self.changed: set[str] = set()
        self.fetches = 0
        self._between = between

    def put(self, player: str, score: float) -> None:
        self.members[player] = score
        self.changed.add(player)

    def fetch(self, start: int, end: int) -> list[Element]:
        if self.fetches and self._between is not None:
            self._between(self, self.fetches)
        self.fetches += 1
        ordered = sorted(self.members.items(), key=lambda element: (element[1], element[0]), reverse=True)
        return ordered[start:end]

    def unchanged(self) -> set[str]:
        return set(self.members) - self.changed


def read_all(fake: FakeSet, chunk: int = 100, overlap: int = 10) -> list[str]:
    return [player for elements in walk(fake.fetch, chunk, overlap) for player, _ in elements]


def board(size: int) -> dict[str, float]:
    return {f"p{i:05d}": float(size - i) for i in range(size)}


def test_a_quiet_set_is_read_once_in_rank_order() -> None:
    fake = FakeSet(board(2_345) | {"tie-a": 7.0, "tie-b": 7.0})
    read = read_all(fake)
    assert fake.fetches == 24  # 2,347 players in chunks of 100, each read with the last 10 of the one before
    assert read == [player for player, _ in fake.fetch(0, 10_000)]  # every player once, nothing twice


def test_a_player_dropping_from_the_top_would_be_missed_by_plain_rank_chunks_but_not_by_the_walk() -> None:
    def top_player_drops(fake: FakeSet, fetches: int) -> None:
        if fetches == 1:  # after the first chunk: the leader resubmits a low score, everyone moves up one rank
            fake.put("p00000", -1.0)

    plain = FakeSet(board(300), top_player_drops)
    read_plainly = [player for start in range(0, 400, 100) for player, _ in plain.fetch(start, start + 100)]
    assert "p00100" not in read_plainly  # moved from rank 100 to rank 99, after ranks 0-99 were read

    fake = FakeSet(board(300), top_player_drops)
    assert fake.unchanged() | {"p00000"} <= set(read_all(fake))


def test_ranks_moving_by_more_than_the_overlap_make_the_walk_step_back() -> None:
    def fifty_leaders_drop(fake: FakeSet, fetches: int) -> None:
        if fetches == 2:
            for i in range(50):
                fake.put(f"p{i:05d}", -float(i) - 1)

    fake = FakeSet(board(1_000), fifty_leaders_drop)
    read = read_all(fake, chunk=100, overlap=10)
    assert fake.unchanged() <= set(read)


@pytest.mark.parametrize("seed", range(30))
def test_under_random_writes_every_unchanged_player_is_read(seed: int) -> None:
    rng = random.Random(seed)
    names = itertools.count()

    def writes(fake: FakeSet, _fetches: int) -> None:
        for _ in range(rng.randrange(0, 40)):
            kind = rng.random()
            if kind < 0.4:  # a new player
                fake.put(f"new-{next(names)}", float(rng.randrange(-50, 2_000)))
            else:  # a player's new score, up or down, ties included
                fake.put(rng.choice(sorted(fake.members)), float(rng.randrange(-50, 2_000)))

    fake = FakeSet({f"p{i:04d}": float(rng.randrange(0, 1_500)) for i in range(1_500)}, writes)
    read = read_all(fake, chunk=rng.choice([50, 100, 250]), overlap=rng.choice([5, 10, 25]))
    assert fake.unchanged() <= set(read)


def test_a_set_that_disappears_midway_is_reported_not_taken_as_finished() -> None:
    def flushed(fake: FakeSet, fetches: int) -> None:
        if fetches == 1:
            fake.members.clear()

    with pytest.raises(SetGone):
        read_all(FakeSet(board(500), flushed))
