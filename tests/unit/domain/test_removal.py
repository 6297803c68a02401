"""Removing a player takes them out of the board in every period, past ones included (removal serves an erasure);
removing a board starts it afresh (a new generation, the default settings), drops its sets and deletes its old
scores, in the request for a few seconds and by the keep-alive after that."""

from __future__ import annotations

import pytest

import shared.domain.leaderboards
from shared.domain.errors import StoreThrottled
from shared.domain.leaderboards import STALE_WRITE_S
from shared.domain.ports import BoardEntry
from shared.domain.rules import BoardSettings
from shared.domain.scope import Scope
from tests.unit.domain.support import KEY, Background, World, scope

CUP = scope("cup")


# --- a player -------------------------------------------------------------------------------------------------------


def test_removing_a_player_takes_them_out_of_every_period_past_ones_included(world: World) -> None:
    world.configure("cup", periods=["daily", "weekly", "all"])
    for day in ("2026-11-20", "2026-11-26", "2026-11-27"):
        world.set_time(f"{day}T10:00:00Z")
        world.submit("cup", "ada", 1)
        world.submit("cup", "bob", 2)
    world.index.flush_all()  # the index lost every set (past days' expire anyway)...
    assert "ada" in world.players("cup", "daily:2026-11-26")  # ...and this read rebuilt that day's
    world.remove_player("cup", "ada")
    for period in ("daily", "daily:2026-11-26", "daily:2026-11-20", "weekly", "weekly:2026-W47", "all"):
        assert world.players("cup", period) == {"bob": 2}, period
    world.index.flush_all()
    assert world.players("cup", "daily:2026-11-20") == {"bob": 2}
    for name in (None, "daily:2026-11-20", "daily:2026-11-26", "weekly:2026-W48"):
        assert world.record.players(scope("cup", name)) == {"bob": 2}, name


def test_removing_a_player_reaches_a_past_day_the_keep_alive_kept_in_the_index(world: World) -> None:
    """The keep-alive raises a current day's TTL until the day ends, so its set outlives its last write by more
    than the TTL: the next day's removal must still take the player out of it."""
    world.configure("cup", periods=["daily", "all"])
    world.set_time("2026-11-26T10:00:00Z")
    world.submit("cup", "ada", 1)
    world.submit("cup", "bob", 2)
    world.set_time("2026-11-26T18:00:00Z")
    world.keep_alive()
    world.set_time("2026-11-27T12:00:00Z")  # more than the TTL after the last write, within it of the keep-alive
    day = scope("cup", "daily:2026-11-26")
    assert world.index.members(day) == {"ada": 1, "bob": 2}
    world.remove_player("cup", "ada")
    assert world.index.members(day) == {"bob": 2}
    assert world.players("cup", "daily:2026-11-26") == {"bob": 2}


def test_a_removal_takes_the_player_out_of_every_periods_set_however_old(world: World) -> None:
    """A set outlives any guess of its last write (a rebuild in progress, a read's settings mark): every period the
    registry knows is asked, each a call to a set that is likely gone (cheap), for an erasure that is sure."""
    world.configure("cup", periods=["daily", "all"])
    world.set_time("2026-11-20T10:00:00Z")
    world.submit("cup", "ada", 1)
    world.set_time("2026-11-27T10:00:00Z")
    world.submit("cup", "ada", 2)
    world.reset_calls()
    world.remove_player("cup", "ada")
    asked = {c.args[0] for c in world.index.history if c.method == "remove_players"}
    assert asked == {CUP, scope("cup", "daily:2026-11-27"), scope("cup", "daily:2026-11-20")}
    assert world.record.players(scope("cup", "daily:2026-11-20")) == {}


def test_removing_a_player_nobody_scored_changes_nothing(world: World) -> None:
    world.remove_player("nothing", "ada")
    world.submit("cup", "bob", 1)
    world.remove_player("cup", "ada")
    assert world.record.players(CUP) == world.index.members(CUP) == {"bob": 1}


def registered(world: World, board: str) -> BoardEntry:
    entry = world.record.entry(Scope(board))
    assert entry is not None, f"{board} is not registered"
    return entry


# --- a board --------------------------------------------------------------------------------------------------------


def test_a_removed_board_loses_its_scores_and_settings_and_starts_a_new_generation(world: World) -> None:
    world.configure("cup", order="asc")
    for i in range(30):
        world.submit("cup", f"p{i}", i)
    world.remove_board("cup")
    assert world.record.players(CUP) == {}  # purged within the request
    entry = world.record.entry(CUP)
    assert entry is not None
    # The removed generation stays listed until no write that read it before the removal can still land.
    assert (entry.generation, entry.settings, entry.purging) == (1, BoardSettings(), (0,))
    assert world.index.members(CUP) is None
    assert world.page("cup").value.entries == []
    world.submit("cup", "new", 1)
    assert world.record.players(Scope("cup", None, 1)) == {"new": 1}
    world.index.flush_all()
    assert world.players("cup") == {"new": 1}
    world.clock.advance(STALE_WRITE_S)
    world.keep_alive()
    assert registered(world, "cup").purging == ()


def test_removing_a_board_removes_every_period(world: World) -> None:
    world.configure("cup", periods=["daily", "all"])
    for day in ("2026-11-26", "2026-11-27"):
        world.set_time(f"{day}T10:00:00Z")
        world.submit("cup", "ada", 1)
    world.remove_board("cup")
    assert world.players("cup", "daily:2026-11-26") == {}
    assert world.players("cup", "daily") == {}
    assert world.page("cup").period is None  # the board starts again with all time only...
    assert world.record.periods_of("cup") == []  # ...and nothing of the old one is left in the record
    for name in ("daily:2026-11-26", "daily:2026-11-27", None):
        assert world.record.players(scope("cup", name)) == {}
        assert not world.index.members(scope("cup", name))  # no set, or (all time, rebuilt by a read) no player
    world.configure("cup", periods=["daily"])
    world.submit("cup", "bob", 2)
    assert world.players("cup") == {"bob": 2}


def test_increments_after_a_removal_count_in_the_boards_new_life(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.remove_board("cup")
    world.configure("cup", periods=["all", "daily"], update="increment")
    assert [world.submit("cup", "ada", 5) for _ in range(2)] == [5, 10]
    assert world.standing("cup", "ada") == (10, 0)
    assert world.standing("cup", "ada", "daily") == (10, 0)
    assert world.record.players(Scope("cup", None, 1)) == {"ada": 10}


def test_what_a_removal_could_not_purge_in_time_the_keep_alive_does(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(10):
        world.submit("cup", f"p{i}", i)
    monkeypatch.setattr(shared.domain.leaderboards, "PURGE_IN_REQUEST_S", 0)  # no time left in the request
    world.remove_board("cup")
    assert len(world.record.players(CUP)) == 10
    entry = world.record.entry(CUP)
    assert entry is not None
    assert entry.purging == (0,)
    assert world.page("cup").value.entries == []  # the new board shows none of them meanwhile
    world.keep_alive()
    assert world.record.players(CUP) == {}
    assert registered(world, "cup").purging == (0,)  # a write that read the old generation may still land
    world.clock.advance(STALE_WRITE_S)
    world.keep_alive()
    assert registered(world, "cup").purging == ()


def test_a_purge_the_record_throttles_is_left_to_the_keep_alive_and_the_removal_succeeds(world: World) -> None:
    world.configure("cup", periods=["daily", "all"])
    world.submit("cup", "ada", 1)
    world.record.faults.fail_next("purge", StoreThrottled("slow down"))
    world.remove_board("cup")
    assert world.record.players(CUP) == {"ada": 1}
    assert world.page("cup").value.entries == []
    world.keep_alive()
    assert world.record.players(CUP) == world.record.players(scope("cup", "daily:2026-05-28")) == {}


def test_removing_a_board_nobody_wrote_to_is_harmless(world: World) -> None:
    world.index.put_score(scope("legacy"), "old-timer", 7.0, KEY)  # a board only the index knew
    world.remove_board("legacy")
    assert world.index.members(scope("legacy")) is None
    assert world.record.entry(scope("legacy")) is None


def test_a_write_in_flight_during_a_board_removal_goes_with_the_old_board_and_nothing_of_it_is_served(
    world: World,
) -> None:
    """The writer took the board's generation before the removal; its record write lands in the old generation
    and its put in the old generation's set, and it answers 202 while the removal is still going: the two overlap,
    so the write counts as before the removal, which takes it away with the rest. Nothing of the old generation
    is served, and the new board starts empty."""
    world.submit("cup", "ada", 1)
    put = world.index.faults.pause("put_score", when=lambda call: call.args[1] == "old-writer")
    writer = Background(lambda: world.submit("cup", "old-writer", 50))
    put.wait_reached()
    purge = world.record.faults.pause("purge")
    remover = Background(lambda: world.remove_board("cup"))
    purge.wait_reached()  # the new generation has begun, its set is dropped, the old scores are still there
    put.release()
    writer.join()
    purge.release()
    remover.join()
    new = Scope("cup", None, 1)
    assert world.players("cup") == world.record.players(new) == {}
    world.submit("cup", "bob", 2)
    assert world.players("cup") == world.index.members(new) == {"bob": 2}
    world.clock.advance(STALE_WRITE_S + 1)
    world.keep_alive()  # the schedule drops the old set again (the write's put came after the removal's drop)
    assert world.record.players(CUP) == {}
    assert world.index.members(CUP) is None
