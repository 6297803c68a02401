"""A board whose set reached the store's size limit: a new player's submission answers BoardFull (507) and its first
score is taken back out of the record, so record and index agree; players already on it still update, and the board
still reads."""

from __future__ import annotations

import pytest

from shared.domain.errors import BoardFull
from shared.domain.ports import Recorded
from tests.support.fakes.index import MARKS
from tests.support.fakes.sorted_sets import SCORE_BYTES
from tests.unit.domain.support import KEY, World, scope

CUP = scope("cup")


def full_after(world: World, *names: str) -> None:
    """The set's size cap (as Momento's item size limit): what it holds now (its players and every mark: the
    board is configured and whole), plus room for these names and nothing more."""
    now = sum(len(e.encode()) + SCORE_BYTES for e in world.index.members(CUP) or {})
    marks = sum(len(mark) + SCORE_BYTES for mark in MARKS)
    world.index.sets.max_bytes = now + marks + sum(len(n) + SCORE_BYTES for n in names)


def test_a_new_player_on_a_full_board_is_refused_and_taken_back_out_of_the_record(world: World) -> None:
    world.configure("cup", order="desc")  # the settings mark is in the set, as on any configured board
    world.submit("cup", "ada", 10)
    full_after(world, "bob")
    world.submit("cup", "bob", 5)
    with pytest.raises(BoardFull, match="'cup' is full"):
        world.submit("cup", "cyd", 7)
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": 10, "bob": 5}
    assert world.record.calls["take_back_new_player"] == 1
    # Players on it still update; the board still reads.
    assert world.submit("cup", "ada", 11) == 11
    assert world.players("cup") == {"ada": 11, "bob": 5}


def test_a_full_board_does_not_take_back_a_player_the_record_held_before(world: World) -> None:
    """Only a first score (version 1) is taken back: a player the record held before keeps the new score, which
    the index gets when it has room (the next write's read-back, or a rebuild)."""
    world.submit("cup", "ada", 10)
    world.submit("cup", "bob", 1)
    world.index.remove_players(CUP, ["bob"], KEY)  # the index lost her, say
    world.index.sets.max_bytes = 0
    with pytest.raises(BoardFull):
        world.submit("cup", "bob", 2)
    assert world.record.get_score(CUP, "bob") == Recorded("bob", 2.0, 2)


def test_a_full_period_refuses_the_new_player_there_and_names_the_board(world: World) -> None:
    world.configure("cup", periods=["daily", "all"])
    world.submit("cup", "ada", 10)
    day = scope("cup", "daily:2026-05-28")
    world.index.faults.fail_next("put_score", BoardFull("cup"), when=lambda call: call.args[0] == day)
    with pytest.raises(BoardFull, match="'cup'"):
        world.submit("cup", "bob", 3)
    assert world.record.players(day) == world.index.members(day) == {"ada": 10}
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": 10, "bob": 3}
