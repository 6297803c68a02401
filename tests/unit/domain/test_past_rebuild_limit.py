"""Reads of past periods whose sets are gone restore them from the record, at most PAST_REBUILDS_PER_MINUTE a minute
per board: beyond, 503 with Retry-After until the next minute. A restore another instance runs, a period whose set
is still whole, and the current periods cost nothing of the allowance."""

from __future__ import annotations

import pytest

from shared.domain.errors import PastRebuildsLimited
from shared.domain.leaderboards import PAST_REBUILDS_PER_MINUTE
from tests.unit.domain.support import World

DAYS = [f"2026-05-{day:02d}" for day in range(1, PAST_REBUILDS_PER_MINUTE + 3)]


@pytest.fixture
def days() -> World:
    """A daily board scored on each of DAYS, read the next month: every day's set has expired."""
    world = World(start="2026-05-01T00:00:00+00:00")
    world.configure("cup", periods=["daily", "all"])
    for day in DAYS:
        world.set_time(f"{day}T12:00:00+00:00")
        world.submit("cup", f"player-{day}", 1)
    world.set_time("2026-06-20T12:00:10+00:00")
    return world


def test_past_periods_restored_beyond_the_minutes_allowance_answer_503_until_the_next_minute(days: World) -> None:
    for day in DAYS[:PAST_REBUILDS_PER_MINUTE]:
        assert days.players("cup", f"daily:{day}") == {f"player-{day}": 1}
    with pytest.raises(PastRebuildsLimited) as limited:
        days.players("cup", f"daily:{DAYS[PAST_REBUILDS_PER_MINUTE]}")
    assert limited.value.retry_after_s == 50  # 12:00:10 -> 12:01:00
    # A period restored already is whole: reading it again costs nothing.
    assert days.players("cup", f"daily:{DAYS[0]}") == {f"player-{DAYS[0]}": 1}
    days.clock.advance(limited.value.retry_after_s)
    assert days.players("cup", f"daily:{DAYS[PAST_REBUILDS_PER_MINUTE]}") == {
        f"player-{DAYS[PAST_REBUILDS_PER_MINUTE]}": 1
    }


def test_the_current_period_and_all_time_restore_whatever_the_allowance(days: World) -> None:
    for day in DAYS[:PAST_REBUILDS_PER_MINUTE]:
        days.players("cup", f"daily:{day}")
    days.submit("cup", "today", 2)
    days.index.flush_all()
    assert days.players("cup", "daily") == {"today": 2}
    assert len(days.players("cup", "all")) == len(DAYS) + 1


def test_each_board_has_its_own_allowance(days: World) -> None:
    for day in DAYS[:PAST_REBUILDS_PER_MINUTE]:
        days.players("cup", f"daily:{day}")
    days.configure("other", periods=["daily", "all"])
    days.set_time("2026-06-21T12:00:10+00:00")
    days.submit("other", "ada", 1)
    days.set_time("2026-06-22T12:00:10+00:00")
    assert days.players("other", "daily:2026-06-21") == {"ada": 1}
