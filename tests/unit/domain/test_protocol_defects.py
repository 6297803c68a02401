"""The ways the record/index protocol was found to lose, double-count or bring back data, each as the smallest run
that showed it: a regression case per defect. The model (protocol_model.py) explores the same ground at random;
these pin the runs that broke it, one store call at a time where the order matters (support.Interleaved).
"""

from __future__ import annotations

import functools
from decimal import Decimal

import pytest

from shared.domain.errors import PlayerNotFound, StoreUnavailable
from shared.domain.rules import BoardRef, PageRequest, PlayerRef, Submission
from shared.domain.scope import Scope
from tests.support.fakes.index import set_name
from tests.support.fakes.interleave import Turn
from tests.unit.domain.support import KEY, TTL_S, Interleaved, World, choice, scope

LEGACY = {"ada": 5.0, "bob": 3.0}


def momento_only(world: World, board: str) -> None:
    """The board as a deployment before the record left it: players in its set, no marks, nothing in the record."""
    world.index.sets.put(set_name(scope(board)), LEGACY, TTL_S)


# --- 1. adoption wipes a board -----------------------------------------------------------------------------------


def test_a_board_that_lived_only_in_momento_keeps_every_player_at_its_first_write(world: World) -> None:
    momento_only(world, "cup")
    world.submit("cup", "cyd", 4)
    assert world.players("cup") == {**LEGACY, "cyd": 4.0}
    assert world.record.players(scope("cup")) == {**LEGACY, "cyd": 4.0}


def test_a_board_that_lived_only_in_momento_keeps_every_player_at_a_settings_change(world: World) -> None:
    momento_only(world, "cup")
    world.configure("cup", order="asc")
    assert world.players("cup") == LEGACY
    assert world.record.players(scope("cup")) == LEGACY


# --- 2. a removal answered 204 leaves the player in a past period ------------------------------------------------


def test_a_player_removed_while_a_past_period_is_rebuilt_does_not_come_back() -> None:
    world = World(start="2026-05-28T01:00:00+00:00")
    world.configure("cup", periods=["daily", "all"])
    world.submit("cup", "ada", 5)
    world.submit("cup", "bob", 3)
    world.set_time("2026-06-02T00:00:00+00:00")  # the day's set expired long ago
    interleaved = Interleaved(world)
    reader = interleaved.instance()
    read = interleaved.start("read", lambda: reader.view(PageRequest("cup", 0, 10, choice("daily:2026-05-28")), KEY))
    interleaved.run_until(read, "end_rebuild")  # the rebuild put both players and checked them
    world.remove_player("cup", "ada")  # answered 204 meanwhile
    interleaved.finish(read)
    with pytest.raises(PlayerNotFound):
        world.standing("cup", "ada", "daily:2026-05-28")
    assert "ada" not in (world.index.members(scope("cup", "daily:2026-05-28")) or {})


def test_a_player_removed_from_a_past_period_a_read_kept_alive_does_not_come_back() -> None:
    world = World(start="2026-05-28T01:00:00+00:00")
    world.configure("cup", periods=["daily", "all"])
    world.submit("cup", "ada", 5)
    # Reads of the past day with a settings change before each: each puts the settings mark, which keeps the set.
    for when, ties in [
        ("2026-05-29T00:30", "shared"),
        ("2026-05-30T00:00", "distinct"),
        ("2026-05-30T23:30", "shared"),
    ]:
        world.set_time(f"{when}:00+00:00")
        world.configure("cup", ties=ties)
        world.page("cup", "daily:2026-05-28")
    world.set_time("2026-05-31T01:00:00+00:00")
    world.remove_player("cup", "ada")
    assert world.page("cup", "daily:2026-05-28").value.entries == []


# --- 3. a write in flight across a board removal -----------------------------------------------------------------


def test_a_write_in_flight_across_a_board_removal_lands_on_no_board_the_record_does_not_hold(world: World) -> None:
    world.submit("cup", "old", 1)
    interleaved = Interleaved(world)
    writer = interleaved.instance()
    write = interleaved.start("write", lambda: writer.submit(Submission("cup", "ada", 9.0), KEY))
    interleaved.run_until(write, "write_score")  # it read the registry: the board's first generation
    world.remove_board("cup")
    world.submit("cup", "new", 2)
    interleaved.finish(write)  # answered 202
    current = Scope("cup", None, 1)
    assert world.index.members(current) == world.record.players(current)
    assert world.players("cup") == world.record.players(current)
    world.clock.advance(60)
    world.keep_alive()
    assert world.record.partitions("cup") == [current]  # nothing left behind in the removed generation


# --- 4. one increment counted twice ------------------------------------------------------------------------------


@pytest.mark.parametrize(("periods", "method"), [(["all"], "write_score"), (["daily", "all"], "add_to_totals")])
def test_an_increment_the_sdk_sent_twice_counts_once(world: World, periods: list[str], method: str) -> None:
    world.configure("cup", update="increment", periods=periods)
    world.submit("cup", "ada", 5)
    world.record.faults.resend(method)  # the first copy landed; its answer came too late
    assert world.submit("cup", "ada", 5) == 10.0
    assert world.record.players(scope("cup")) == {"ada": 10.0}


@pytest.mark.parametrize(("periods", "method"), [(["all"], "write_score"), (["daily", "all"], "add_to_totals")])
def test_an_increment_the_sdk_sent_again_after_other_writes_landed_counts_once(
    world: World, periods: list[str], method: str
) -> None:
    """Found from outside (eight writers of one player, each timing out and sent again): a copy that arrives after
    two or more other writes of the player landed was counted again (the item kept only the last two tokens)."""
    world.configure("cup", update="increment", periods=periods)
    run = Interleaved(world)
    first = run.start("first", lambda: run.instance().submit(Submission("cup", "ada", 1), KEY))
    run.run_until(first, method)
    run.scheduler.step(first, Turn(resend=True))  # its first copy lands; the SDK timed out and sends it again
    for amount in (10, 100, 1000):
        run.finish(
            run.start(
                f"writer-{amount}", functools.partial(run.instance().submit, Submission("cup", "ada", amount), KEY)
            )
        )
    assert run.finish(first) == 1111.0  # the copy landed last, and counted nothing
    assert world.record.players(scope("cup")) == {"ada": 1111.0}


# --- 7. increments lose digits ----------------------------------------------------------------------------------


def test_an_increment_with_more_digits_than_a_double_holds_is_summed_exactly(world: World) -> None:
    world.configure("cup", update="increment")
    amount = Decimal("1000000.000000000001")  # 19 significant digits, 12 after the point: as the body wrote it
    for _ in range(3):
        world.boards.submit(Submission("cup", "ada", float(amount), amount), KEY)
    assert world.record.totals(scope("cup")) == {"ada": Decimal("3000000.000000000003")}  # was 3000000


# --- 5. a board removal whose Momento delete fails leaves a ghost board ---------------------------------------------


def test_a_board_removal_whose_index_delete_failed_leaves_no_board_served_from_the_old_players(world: World) -> None:
    world.submit("cup", "ada", 5)
    other = world.instance()
    assert world.players("cup") == {"ada": 5.0}
    other.view(PageRequest("cup", 0, 10), KEY)  # another instance knows the board too
    world.index.faults.fail_next("forget", StoreUnavailable("down"))
    with pytest.raises(StoreUnavailable):
        world.boards.remove_board(BoardRef("cup"), KEY)
    world.submit("cup", "bob", 1)
    world.keep_alive()  # the schedule's next run
    for instance in (world.boards, other):
        assert {e.player for e in instance.view(PageRequest("cup", 0, 10), KEY).value.entries} == {"bob"}
    with pytest.raises(PlayerNotFound):
        other.standing(PlayerRef("cup", "ada"), KEY)


# --- found by the model: a request that stops between the record and the index -----------------------------------


def test_a_write_whose_instance_stopped_before_its_put_reaches_the_index_through_the_records_feed(
    world: World,
) -> None:
    world.submit("cup", "ada", 1)
    interleaved = Interleaved(world)
    write = interleaved.start("write", lambda: interleaved.instance().submit(Submission("cup", "ada", 5.0), KEY))
    interleaved.run_until(write, "put_score")
    interleaved.scheduler.kill(write)  # its function timed out: the record has 5, the index 1
    assert world.index.members(scope("cup")) == {"ada": 1.0}
    assert world.boards.reindex(world.record.take_changes(), KEY) == 1
    assert world.players("cup") == world.record.players(scope("cup")) == {"ada": 5.0}


def test_a_removal_whose_instance_stopped_before_the_index_reaches_it_through_the_records_feed(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.submit("cup", "bob", 2)
    world.record.take_changes()
    interleaved = Interleaved(world)
    remove = interleaved.start("remove", lambda: interleaved.instance().remove_player(PlayerRef("cup", "ada"), KEY))
    interleaved.run_until(remove, "remove_players")
    interleaved.scheduler.kill(remove)
    world.boards.reindex(world.record.take_changes(), KEY)
    assert world.players("cup") == world.record.players(scope("cup")) == {"bob": 2.0}


def test_a_board_removal_the_sdk_sent_twice_still_drops_the_removed_boards_sets(world: World) -> None:
    """The registry's update sent twice moves the board twice: the removal answers the second move's entry, and
    must drop the sets of the first one's generation too."""
    world.submit("cup", "ada", 5)
    world.record.faults.resend("remove_board")
    world.remove_board("cup")
    assert world.index.members(scope("cup")) is None  # was still whole, serving ada to any instance that knew it
    assert world.record.players(scope("cup")) == {}
