"""The schedule's keep-alive: for every board, each current set (all time when listed, each listed kind's current
period) has its TTL raised, is rebuilt when lost, or leaves the index once the board is past its retention; past
periods are left to expire; what a board removal could not purge is purged."""

from __future__ import annotations

from shared.domain.leaderboards import KeepAliveReport
from tests.unit.domain.support import KEY, TTL_S, World, at, scope

A_DAY = 86_400


def test_a_set_close_to_expiring_gets_the_full_ttl_again(world: World) -> None:
    world.fill("kept", 5)
    world.clock.advance(TTL_S - 60)
    assert world.keep_alive() == KeepAliveReport(kept=1)
    assert world.index.expires_at(scope("kept")) == world.clock.now() + TTL_S
    world.clock.advance(TTL_S - 60)
    assert len(world.players("kept")) == 5


def test_a_lost_set_is_rebuilt(world: World) -> None:
    world.fill("kept", 3)
    world.fill("lost", 7)
    world.index.lose(scope("lost"))
    assert world.keep_alive() == KeepAliveReport(kept=1, rebuilt=1)
    assert world.agree(scope("lost"))
    assert world.index.is_whole(scope("lost"), KEY)


def test_a_rebuild_the_deadline_leaves_no_time_for_is_pending(world: World) -> None:
    world.fill("lost", 7)
    world.index.lose(scope("lost"))
    assert world.keep_alive(seconds=0) == KeepAliveReport(pending=1)
    assert world.index.members(scope("lost")) is None
    assert world.keep_alive() == KeepAliveReport(rebuilt=1)


def test_a_slow_rebuild_is_pending_and_continues_on_the_next_run() -> None:
    world = World(rate=10)  # 10 players a second
    world.fill("big", 100)
    world.index.lose(scope("big"))
    assert world.keep_alive(seconds=3) == KeepAliveReport(pending=1)
    assert 0 < len(world.index.members(scope("big")) or {}) < 100
    assert world.keep_alive(seconds=60) == KeepAliveReport(rebuilt=1)
    assert world.agree(scope("big"))


def test_a_board_past_its_retention_leaves_the_index_and_a_new_write_brings_it_back_whole() -> None:
    world = World(retention_days=30)
    world.fill("old", 5)
    # Kept alive every 20 hours for as long as the retention says (36 runs: 720 hours), then retired.
    reports = []
    for _ in range(37):
        world.clock.advance(20 * 3600)
        world.fill("active", 1, prefix="writer-")
        reports.append(world.keep_alive())
    assert reports[:-1] == [KeepAliveReport(kept=2)] * (len(reports) - 1)  # 30 days of runs kept both
    assert reports[-1] == KeepAliveReport(kept=1, retired=1)  # the first run past the retention
    assert world.clock.now() - at("2026-05-28T00:00:00Z") > 30 * A_DAY
    assert world.index.members(scope("old")) is None  # left the index...
    assert len(world.record.players(scope("old"))) == 5  # ...and stays in the record
    assert world.page("old").value.entries == []  # read as the index has it: nothing to rebuild for
    world.submit("old", "returning", 1)  # a new write revives the whole board
    assert len(world.players("old")) == 6


def test_only_current_periods_are_kept_and_a_period_nothing_was_scored_in_is_skipped(world: World) -> None:
    world.configure("cup", periods=["daily", "all"], time_zone="Europe/Berlin")
    world.set_time("2026-11-26T10:00:00+01:00")
    world.submit("cup", "ada", 5)
    world.set_time("2026-11-27T10:00:00+01:00")
    world.submit("cup", "bob", 7)
    world.submit("cup", "ada", 6)
    assert world.keep_alive() == KeepAliveReport(kept=2)  # today's set and all time's
    world.index.flush_all()
    world.set_time("2026-11-28T10:00:00+01:00")
    # All time rebuilt; today has no scores (no set to make); past days left to expire.
    assert world.keep_alive() == KeepAliveReport(rebuilt=1)
    assert world.index.members(scope("cup")) == {"bob": 7, "ada": 6}
    assert world.index.members(scope("cup", "daily:2026-11-28")) is None
    assert world.index.members(scope("cup", "daily:2026-11-27")) is None
    # A past period is rebuilt when read.
    answer = world.page("cup", "daily:previous")
    assert {e.player: e.score for e in answer.value.entries} == {"bob": 7, "ada": 6}
    assert answer.period is not None
    assert (answer.period.start.isoformat(), answer.period.end.isoformat()) == (
        "2026-11-27T00:00:00+01:00",
        "2026-11-28T00:00:00+01:00",
    )
    assert world.standing("cup", "ada", "daily:2026-11-26") == (5, 0)


def test_a_run_reports_nothing_when_there_is_no_board(world: World) -> None:
    assert world.keep_alive() == KeepAliveReport()
