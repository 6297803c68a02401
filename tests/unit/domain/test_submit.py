"""Submitting a score: kept in the record by the board's update rule, in every current period the board lists, and
indexed before the answer; a failure part way leaves the record with the score, and the client's retry converges."""

from __future__ import annotations

import pytest

import shared.domain.leaderboards
from shared.domain.errors import InvalidInput, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.domain.leaderboards import TOUCH_EVERY_S
from shared.domain.ports import Recorded
from shared.domain.rules import BoardSettings
from shared.domain.scope import Scope
from tests.unit.domain.support import KEY, World, scope

CUP = scope("cup")


# --- by the update rule ----------------------------------------------------------------------------------------------


def test_a_latest_board_keeps_the_last_score_and_answers_it(world: World) -> None:
    assert world.submit("cup", "ada", 12.5) == 12.5
    assert world.submit("cup", "ada", -3) == -3
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": -3}
    assert world.standing("cup", "ada") == (-3, 0)


@pytest.mark.parametrize(
    ("order", "scores", "kept"),
    [("desc", [10, 7, 10.5, 9], [10, 10, 10.5, 10.5]), ("asc", [10, 12, -3, -2.5], [10, 10, -3, -3])],
)
def test_a_best_board_keeps_the_better_score_by_its_order(
    world: World, order: str, scores: list[float], kept: list[float]
) -> None:
    world.configure("cup", update="best", order=order)
    assert [world.submit("cup", "ada", s) for s in scores] == kept
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": kept[-1]}


def test_an_increment_board_adds_exact_decimals(world: World) -> None:
    world.configure("cup", update="increment")
    assert [world.submit("cup", "ada", s) for s in (0.1, 0.2, -1.25)] == [0.1, 0.3, -0.95]
    assert world.index.members(CUP) == {"ada": -0.95}


def test_an_increment_with_more_decimals_than_a_total_keeps_is_refused_before_any_write(world: World) -> None:
    world.configure("cup", update="increment")
    world.reset_calls()
    with pytest.raises(InvalidInput, match="decimal point"):
        world.submit("cup", "ada", 0.1234567890123)
    assert world.record.calls["write_score"] == world.record.calls["add_to_totals"] == 0
    assert world.index.members(CUP) == {}  # the settings a change put, and no player


def test_a_rule_change_to_increment_adds_to_the_score_kept(world: World) -> None:
    world.submit("cup", "ada", 10.25)
    world.configure("cup", update="increment")
    assert world.submit("cup", "ada", 1) == 11.25
    world.configure("cup", update="best")
    assert world.submit("cup", "ada", 11) == 11.25
    assert world.submit("cup", "ada", 12) == 12


# --- periods -------------------------------------------------------------------------------------------------------


def test_one_submission_writes_every_listed_period_and_answers_the_first_listed(world: World) -> None:
    world.configure("cup", periods=["daily", "weekly", "monthly", "all"])
    world.set_time("2026-11-27T10:00:00Z")
    assert world.submit("cup", "ada", 5) == 5
    for name in ("daily:2026-11-27", "weekly:2026-W48", "monthly:2026-11", None):
        assert world.record.players(scope("cup", name)) == world.index.members(scope("cup", name)) == {"ada": 5}
    # A period's first score made its set whole: a read right after needs no rebuild.
    assert world.index.is_whole(scope("cup", "daily:2026-11-27"), KEY)


def test_best_and_increment_keep_each_period_by_its_own_rule(world: World) -> None:
    world.configure("best", periods=["daily", "all"], update="best")
    world.configure("sum", periods=["daily", "weekly", "all"], update="increment")
    world.set_time("2026-11-27T10:00:00Z")
    assert [world.submit("best", "ada", s) for s in (10, 7)] == [10, 10]
    assert [world.submit("sum", "ada", s) for s in (3, 4)] == [3, 7]
    world.set_time("2026-11-28T10:00:00Z")
    assert world.submit("best", "ada", 5) == 5  # today's best, the first listed period's
    assert world.submit("sum", "ada", 5) == 5
    assert world.standing("best", "ada") == (5, 0)
    assert world.standing("best", "ada", "daily:previous") == (10, 0)
    assert world.standing("best", "ada", "all") == (10, 0)
    assert world.standing("sum", "ada", "daily:previous") == (7, 0)
    assert world.standing("sum", "ada", "weekly") == (12, 0)
    assert world.standing("sum", "ada", "all") == (12, 0)


def test_an_increment_is_added_in_every_period_or_in_none(world: World) -> None:
    """A total that would pass 2^53 in one period (all time) refuses the increment in all of them."""
    world.configure("sum", periods=["daily", "all"], update="increment")
    world.set_time("2026-11-26T10:00:00Z")
    world.submit("sum", "ada", 2**53 - 10)
    world.set_time("2026-11-27T10:00:00Z")
    world.submit("sum", "ada", 5)
    with pytest.raises(InvalidInput, match="2\\^53"):
        world.submit("sum", "ada", 6)
    today = scope("sum", "daily:2026-11-27")
    assert world.record.players(today) == world.index.members(today) == {"ada": 5}
    assert world.record.players(scope("sum")) == world.index.members(scope("sum")) == {"ada": 2**53 - 5}


# --- the registry ---------------------------------------------------------------------------------------------------


def test_a_first_write_registers_the_board_and_later_ones_note_it_at_most_hourly(world: World) -> None:
    world.submit("cup", "ada", 1)
    entry = world.record.entry(CUP)
    assert entry is not None
    assert entry.last_write_s == int(world.clock.now())
    world.clock.advance(TOUCH_EVERY_S - 1)
    world.reset_calls()
    world.submit("cup", "ada", 2)
    assert world.record.calls["touch"] == 0
    world.clock.advance(1)
    world.submit("cup", "ada", 3)
    assert world.record.calls["touch"] == 1
    entry = world.record.entry(CUP)
    assert entry is not None
    assert entry.last_write_s == int(world.clock.now())


def test_a_period_is_registered_before_its_first_score_and_once_an_hour_per_instance(world: World) -> None:
    world.configure("cup", periods=["daily"])
    world.set_time("2026-11-27T10:00:00Z")
    world.record.faults.fail_next("write_score", StoreUnavailable("down"))
    with pytest.raises(StoreUnavailable):
        world.submit("cup", "ada", 1)
    day = scope("cup", "daily:2026-11-27")

    def touched() -> list[Scope]:
        return [c.args[0] for c in world.record.history if c.method == "touch" and c.args[0].period is not None]

    assert world.record.entry(day) is not None  # registered, though its first score failed
    assert world.record.players(day) == {}
    world.reset_calls()
    world.submit("cup", "ada", 1)
    world.submit("cup", "bob", 2)
    assert touched() == []  # noted within the hour
    world.submit("cup", "cyd", 3, via=world.instance())  # another instance notes it once itself
    assert touched() == [day]


# --- failures -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [StoreThrottled("slow down"), StoreUnavailable("down"), StoreTimeout("late")])
def test_the_record_failing_changes_nothing_anywhere(world: World, error: Exception) -> None:
    world.submit("cup", "ada", 1)
    world.record.faults.fail_next("write_score", error)
    with pytest.raises(type(error)):
        world.submit("cup", "ada", 2)
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": 1}


def test_the_index_failing_after_the_record_keeps_the_score_and_a_retry_converges(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.index.faults.fail_next("put_score", StoreUnavailable("down"))
    with pytest.raises(StoreUnavailable):
        world.submit("cup", "ada", 2)
    assert world.record.players(CUP) == {"ada": 2}  # durable, not yet indexed
    assert world.index.members(CUP) == {"ada": 1}
    assert world.submit("cup", "ada", 2) == 2  # the client sends the same submission again
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": 2}
    assert world.record.get_score(CUP, "ada") == Recorded("ada", 2.0, 3)  # the retry was a write of its own


def test_a_put_that_landed_but_answered_an_error_converges_on_the_retry(world: World) -> None:
    world.index.faults.after_effect("put_score", StoreTimeout("no answer"))
    with pytest.raises(StoreTimeout):
        world.submit("cup", "ada", 7)
    assert world.record.players(CUP) == world.index.members(CUP) == {"ada": 7}
    assert world.submit("cup", "ada", 7) == 7
    assert world.agree(CUP)


@pytest.mark.parametrize("update", ["latest", "best"])
def test_a_write_that_fails_in_one_period_converges_when_retried(world: World, update: str) -> None:
    world.configure("cup", periods=["daily", "weekly", "all"], update=update)
    world.set_time("2026-11-27T10:00:00Z")
    world.submit("cup", "ada", 5)
    week = scope("cup", "weekly:2026-W48")
    world.index.faults.fail_next("put_score", StoreUnavailable("down"), when=lambda call: call.args[0] == week)
    with pytest.raises(StoreUnavailable):
        world.submit("cup", "ada", 9)
    assert world.index.members(week) == {"ada": 5}  # the failed period: not indexed yet
    assert world.index.members(scope("cup", "daily:2026-11-27")) == {"ada": 9}  # the others were
    assert world.submit("cup", "ada", 9) == 9
    for ranking in (CUP, scope("cup", "daily:2026-11-27"), week):
        assert world.record.players(ranking) == world.index.members(ranking) == {"ada": 9}, ranking


def test_an_increment_whose_index_fails_is_counted_once_in_every_period_and_indexed_by_the_next_write(
    world: World,
) -> None:
    world.configure("sum", periods=["daily", "all"], update="increment")
    world.set_time("2026-11-27T10:00:00Z")
    world.submit("sum", "ada", 1)
    day = scope("sum", "daily:2026-11-27")
    world.index.faults.fail_next("put_score", StoreUnavailable("down"), when=lambda call: call.args[0] == day)
    with pytest.raises(StoreUnavailable):
        world.submit("sum", "ada", 2)
    assert world.record.players(scope("sum")) == world.record.players(day) == {"ada": 3}
    assert world.submit("sum", "ada", 4) == 7  # its read-back puts the record's total
    assert world.index.members(day) == world.index.members(scope("sum")) == {"ada": 7}


def test_an_increment_whose_transaction_landed_but_answered_an_error_is_not_counted_twice_by_the_next_write(
    world: World,
) -> None:
    world.configure("sum", periods=["daily", "all"], update="increment")
    world.record.faults.after_effect("add_to_totals", StoreTimeout("no answer"))
    with pytest.raises(StoreTimeout):
        world.submit("sum", "ada", 2)
    assert world.submit("sum", "ada", 3) == 5
    assert world.players("sum") == world.players("sum", "all") == {"ada": 5}


def test_a_write_that_never_settles_gives_up_with_503_and_the_record_holds_it(world: World) -> None:
    """A record write too slow for its put to land by its deadline is followed by read-backs; another writer keeps
    changing the player after every one: the write stops after WRITE_SETTLE_S."""
    world.submit("cup", "ada", 1)
    other = BoardSettings()

    def slow(_: object) -> bool:
        world.clock.advance(1.0)  # every record write answers late: its put could not land by its deadline
        return False

    world.record.faults.fail_next("write_score", StoreUnavailable("unused"), when=slow)

    def another_write_lands(_: object) -> bool:
        world.record.write_score(CUP, "ada", 100.0, rules=other, now_ms=world.clock.now_ms())
        world.clock.advance(0.5)
        return False

    world.index.faults.fail_next("put_score", StoreUnavailable("never"), times=None, when=another_write_lands)
    with pytest.raises(StoreUnavailable, match="did not settle"):
        world.submit("cup", "ada", 2)
    assert world.record.players(CUP) == {"ada": 100}
    world.index.faults.clear()
    world.record.faults.clear()
    assert world.submit("cup", "ada", 3) == 3
    assert world.agree(CUP)


def test_a_submission_to_a_board_of_an_older_generation_lands_in_the_new_one(world: World) -> None:
    world.submit("cup", "ada", 1)
    world.remove_board("cup")
    world.submit("cup", "bob", 2)
    assert world.record.players(Scope("cup", None, 1)) == {"bob": 2}
    assert world.players("cup") == {"bob": 2}


def test_an_instance_forgets_the_periods_it_noted_past_its_bound_and_notes_them_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared.domain.leaderboards, "MAX_TOUCHED", 2)
    for board in ("a", "b", "c"):
        world.configure(board, periods=["daily"])
    world.reset_calls()
    for board in ("a", "b", "c", "a"):
        world.submit(board, "ada", 1)
    noted = [c.args[0].board for c in world.record.history if c.method == "touch" and c.args[0].period is not None]
    assert noted == ["a", "b", "c", "a"]  # "a" forgotten when "c" did not fit
