"""Periods over time, with a clock the test sets: exact day, week and month boundaries in a zone with daylight saving
(Europe/Berlin) and one without (Asia/Tokyo); each period a ranking of its own, whole from its first score."""

from __future__ import annotations

import pytest

from tests.unit.domain.support import KEY, World, at, scope

ALL_KINDS = ["daily", "weekly", "monthly", "all"]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo"])
def test_the_last_millisecond_of_a_day_week_and_month_counts_for_it_and_the_next_for_the_next(
    world: World, zone: str
) -> None:
    offset = "+01:00" if zone == "Europe/Berlin" else "+09:00"
    world.configure("cup", periods=ALL_KINDS, time_zone=zone)
    for player, local in [
        ("sun-last", "2026-11-29T23:59:59.999"),  # Sunday: day 29, ISO week 48
        ("mon-first", "2026-11-30T00:00:00.000"),  # Monday: day 30, week 49
        ("nov-last", "2026-11-30T23:59:59.999"),  # the month's last millisecond
        ("dec-first", "2026-12-01T00:00:00.000"),
    ]:
        world.set_time(local + offset)
        world.submit("cup", player, 1)
    world.set_time("2026-12-02T12:00:00" + offset)
    assert world.players("cup", "daily:2026-11-29") == {"sun-last": 1}
    assert world.players("cup", "daily:2026-11-30") == {"mon-first": 1, "nov-last": 1}
    assert world.players("cup", "daily:2026-12-01") == {"dec-first": 1}
    assert world.players("cup", "weekly:2026-W48") == {"sun-last": 1}
    assert world.players("cup", "weekly:2026-W49") == {"mon-first": 1, "nov-last": 1, "dec-first": 1}
    assert world.players("cup", "monthly:2026-11") == {"sun-last": 1, "mon-first": 1, "nov-last": 1}
    assert world.players("cup", "monthly") == {"dec-first": 1}
    assert len(world.players("cup", "all")) == 4
    period = world.page("cup", "weekly:2026-W49").period
    assert period is not None
    assert period.as_json() == {
        "kind": "weekly",
        "id": "2026-W49",
        "start": "2026-11-30T00:00:00" + offset,
        "end": "2026-12-07T00:00:00" + offset,
    }


def test_a_day_with_a_clock_change_lasts_25_hours_in_berlin_and_24_in_tokyo(world: World) -> None:
    """Berlin's clocks go back at 03:00 on 2026-10-25: 02:30 happens twice, both times on the 25th."""
    world.configure("berlin", periods=["daily"], time_zone="Europe/Berlin")
    world.configure("tokyo", periods=["daily"], time_zone="Asia/Tokyo")
    for player, instant in {
        "first-0230": "2026-10-25T02:30:00+02:00",
        "second-0230": "2026-10-25T02:30:00+01:00",
        "last-ms": "2026-10-25T23:59:59.999+01:00",
        "next-day": "2026-10-26T00:00:00+01:00",
    }.items():
        world.set_time(instant)
        world.submit("berlin", player, 1)
        world.submit("tokyo", player, 1)
    world.set_time("2026-10-27T12:00:00+01:00")
    day = world.page("berlin", "daily:2026-10-25")
    assert {e.player for e in day.value.entries} == {"first-0230", "second-0230", "last-ms"}
    assert day.period is not None
    assert day.period.end.timestamp() - day.period.start.timestamp() == 25 * 3600
    assert set(world.players("tokyo", "daily:2026-10-25")) == {"first-0230", "second-0230"}  # 09:30, 10:30
    assert set(world.players("tokyo", "daily:2026-10-26")) == {"last-ms", "next-day"}
    tokyo = world.page("tokyo", "daily:2026-10-25").period
    assert tokyo is not None
    assert tokyo.end.timestamp() - tokyo.start.timestamp() == 24 * 3600


def test_the_spring_day_lasts_23_hours() -> None:
    world = World(start="2026-03-01T00:00:00Z")
    world.configure("berlin", periods=["daily"], time_zone="Europe/Berlin")
    world.set_time("2026-03-29T01:59:59.999+01:00")  # the last millisecond before the clocks jump to 03:00
    world.submit("berlin", "before-jump", 1)
    world.set_time("2026-03-29T03:00:00+02:00")
    world.submit("berlin", "after-jump", 1)
    answer = world.page("berlin")
    assert {e.player for e in answer.value.entries} == {"before-jump", "after-jump"}
    assert answer.period is not None
    assert (answer.period.start.isoformat(), answer.period.end.isoformat()) == (
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
    )
    assert at(answer.period.end.isoformat()) - at(answer.period.start.isoformat()) == 23 * 3600


def test_iso_week_53_spans_new_year(world: World) -> None:
    world.configure("cup", periods=["weekly", "monthly"], time_zone="Asia/Tokyo")
    for player, instant in [
        ("w52-last", "2026-12-27T23:59:59.999+09:00"),
        ("dec-31", "2026-12-31T10:00:00+09:00"),
        ("jan-3", "2027-01-03T23:59:59.999+09:00"),
        ("w01-first", "2027-01-04T00:00:00+09:00"),
    ]:
        world.set_time(instant)
        world.submit("cup", player, 1)
    assert set(world.players("cup", "weekly:2026-W53")) == {"dec-31", "jan-3"}
    assert set(world.players("cup", "weekly:previous")) == {"dec-31", "jan-3"}
    assert set(world.players("cup", "weekly")) == {"w01-first"}
    assert set(world.players("cup", "monthly:2026-12")) == {"w52-last", "dec-31"}
    assert set(world.players("cup")) == {"w01-first"}  # the first listed kind: weekly
    assert set(world.players("cup", "monthly")) == {"jan-3", "w01-first"}


def test_a_new_periods_first_score_makes_a_whole_set_and_the_read_after_it_costs_no_rebuild(world: World) -> None:
    world.configure("cup", periods=["daily", "all"])
    world.set_time("2026-11-27T23:59:00Z")
    world.submit("cup", "ada", 3)
    world.set_time("2026-11-28T00:00:01Z")  # nothing runs at the boundary...
    world.submit("cup", "bob", 4)  # ...the first write names the new day, registers it and finds no set
    today = scope("cup", "daily:2026-11-28")
    assert world.index.is_whole(today, KEY)
    world.reset_calls()
    assert world.players("cup") == {"bob": 4}
    assert world.record.calls == {}
    assert world.players("cup", "daily:previous") == {"ada": 3}  # the day that ended keeps its set
    assert world.record.calls["claim_rebuild"] == 0


def test_a_past_period_lost_by_the_index_is_rebuilt_from_the_record_when_read(world: World) -> None:
    world.configure("cup", periods=["daily", "all"])
    world.set_time("2026-11-26T10:00:00Z")
    for player, score in {"ada": 5.0, "bob": 7.0}.items():
        world.submit("cup", player, score)
    world.set_time("2026-11-30T10:00:00Z")  # the 26th's set expired days ago
    assert world.index.members(scope("cup", "daily:2026-11-26")) is None
    assert world.ranking("cup", "daily:2026-11-26")[0].player == "bob"
    assert world.agree(scope("cup", "daily:2026-11-26"))
    entry = world.record.entry(scope("cup", "daily:2026-11-26"))
    assert entry is not None
    assert entry.indexed_at_s == int(world.clock.now())  # noted, so a removal knows the set may be there again
