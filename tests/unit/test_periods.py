"""A board's periods (shared/periods.py): where each day, ISO week and month begins and ends in the board's time zone,
how selectors and the `periods` / `timeZone` settings are read, and which periods a read may name.

Every expected value is worked out by hand from the calendar and the zone's rules (cross-checked with `zdump -v`),
never by running the code under test. Instants are Unix times built from UTC wall clocks, so a reader can check
each one against the local time written next to it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shared.domain.errors import InvalidInput
from shared.domain.periods import (
    DEFAULT_PERIODS,
    DEFAULT_TIME_ZONE,
    KINDS,
    Period,
    PeriodChoice,
    current,
    named,
    parse_choice,
    parse_periods,
    parse_time_zone,
    previous,
)
from shared.http.bodies import period_json


def utc(wall_clock: str) -> float:
    """The Unix time of a UTC wall clock such as 2026-11-27T22:59:59.999, to the millisecond."""
    return datetime.fromisoformat(wall_clock).replace(tzinfo=UTC).timestamp()


def seconds(period: Period) -> float:
    """How long a period lasts in real (elapsed) seconds, not in wall-clock time."""
    return period.end.timestamp() - period.start.timestamp()


def span(period: Period) -> tuple[str, str, str]:
    """What a client sees of a period: its id and its bounds with their UTC offsets."""
    return period.id, period.start.isoformat(), period.end.isoformat()


HOUR = 3600
DAY = 24 * HOUR

# From 1971-01-05: the first instants of 1971 lie in 1970-W53 (or on 1970-12-31 west of UTC), which no id can name.
FIRST_NAMEABLE_EVERYWHERE = utc("1971-01-05")
LAST_INSTANT = utc("2100-12-31T23:59:59.999")

# 2026-11-27 is a Friday in ISO week 2026-W48 (Monday 2026-11-23 .. Sunday 2026-11-29). Berlin is on +01:00 then.
BERLIN_LAST_MS_OF_FRI_2026_11_27 = utc("2026-11-27T22:59:59.999")  # 23:59:59.999+01:00
BERLIN_FIRST_MS_OF_SAT_2026_11_28 = utc("2026-11-27T23:00")  # 00:00:00.000+01:00
TOKYO_LAST_MS_OF_FRI_2026_11_27 = utc("2026-11-27T14:59:59.999")  # 23:59:59.999+09:00
TOKYO_FIRST_MS_OF_SAT_2026_11_28 = utc("2026-11-27T15:00")  # 00:00:00.000+09:00
UTC_LAST_MS_OF_FRI_2026_11_27 = utc("2026-11-27T23:59:59.999")
UTC_FIRST_MS_OF_SAT_2026_11_28 = utc("2026-11-28")
BERLIN_LAST_MS_OF_SUN_2026_11_29 = utc("2026-11-29T22:59:59.999")  # end of 2026-W48, 23:59:59.999+01:00
BERLIN_FIRST_MS_OF_MON_2026_11_30 = utc("2026-11-29T23:00")  # start of 2026-W49
TOKYO_LAST_MS_OF_NOVEMBER_2026 = utc("2026-11-30T14:59:59.999")  # 2026-11-30 23:59:59.999+09:00
TOKYO_FIRST_MS_OF_DECEMBER_2026 = utc("2026-11-30T15:00")  # 2026-12-01 00:00:00.000+09:00

# Evening of Saturday 2026-11-28 in UTC is already Sunday 2026-11-29 05:00 in Tokyo.
SAT_2026_11_28_20H_UTC = utc("2026-11-28T20:00")
# Early Saturday 2026-11-28 in UTC is still Friday 2026-11-27 18:00 in Los Angeles (-08:00).
SAT_2026_11_28_02H_UTC = utc("2026-11-28T02:00")


# --- Exact boundaries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "zone", "last_ms", "first_ms", "ids"),
    [
        ("daily", "Europe/Berlin", BERLIN_LAST_MS_OF_FRI_2026_11_27, BERLIN_FIRST_MS_OF_SAT_2026_11_28,
         ("2026-11-27", "2026-11-28")),
        ("daily", "Asia/Tokyo", TOKYO_LAST_MS_OF_FRI_2026_11_27, TOKYO_FIRST_MS_OF_SAT_2026_11_28,
         ("2026-11-27", "2026-11-28")),
        ("daily", "UTC", UTC_LAST_MS_OF_FRI_2026_11_27, UTC_FIRST_MS_OF_SAT_2026_11_28,
         ("2026-11-27", "2026-11-28")),
        ("weekly", "Europe/Berlin", BERLIN_LAST_MS_OF_SUN_2026_11_29, BERLIN_FIRST_MS_OF_MON_2026_11_30,
         ("2026-W48", "2026-W49")),
        ("monthly", "Asia/Tokyo", TOKYO_LAST_MS_OF_NOVEMBER_2026, TOKYO_FIRST_MS_OF_DECEMBER_2026,
         ("2026-11", "2026-12")),
    ],
)  # fmt: skip
def test_the_last_millisecond_belongs_to_the_period_and_local_midnight_to_the_next(
    kind: str, zone: str, last_ms: float, first_ms: float, ids: tuple[str, str]
) -> None:
    """A score at 23:59:59.999 local time counts for that day (week, month); one at 00:00:00.000 for the next."""
    ending, beginning = ids
    assert current(kind, zone, last_ms).id == ending
    assert current(kind, zone, first_ms).id == beginning
    assert current(kind, zone, last_ms).end.timestamp() == first_ms == current(kind, zone, first_ms).start.timestamp()


def test_a_period_is_named_by_its_local_label_and_bounded_in_local_time() -> None:
    """The same instant is Friday in UTC and Saturday in Tokyo: each board sees its own day, with its own offset."""
    assert span(current("daily", "UTC", UTC_LAST_MS_OF_FRI_2026_11_27)) == (
        "2026-11-27",
        "2026-11-27T00:00:00+00:00",
        "2026-11-28T00:00:00+00:00",
    )
    assert span(current("daily", "Asia/Tokyo", UTC_LAST_MS_OF_FRI_2026_11_27)) == (
        "2026-11-28",
        "2026-11-28T00:00:00+09:00",
        "2026-11-29T00:00:00+09:00",
    )
    assert span(current("weekly", "Europe/Berlin", BERLIN_LAST_MS_OF_FRI_2026_11_27)) == (
        "2026-W48",
        "2026-11-23T00:00:00+01:00",
        "2026-11-30T00:00:00+01:00",
    )


# --- Daylight saving ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "period_id", "expected_span", "hours"),
    [
        ("daily", "2026-03-29", ("2026-03-29", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"), 23),
        ("daily", "2026-10-25", ("2026-10-25", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"), 25),
        ("weekly", "2026-W13", ("2026-W13", "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00"), 7 * 24 - 1),
        ("weekly", "2026-W43", ("2026-W43", "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00"), 7 * 24 + 1),
        ("monthly", "2026-03", ("2026-03", "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00"), 31 * 24 - 1),
        ("monthly", "2026-10", ("2026-10", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"), 31 * 24 + 1),
    ],
)
def test_berlin_periods_holding_a_clock_change_are_an_hour_shorter_or_longer(
    kind: str, period_id: str, expected_span: tuple[str, str, str], hours: int
) -> None:
    """Europe/Berlin springs forward on Sunday 2026-03-29 and falls back on Sunday 2026-10-25."""
    period = named(kind, period_id, "Europe/Berlin")
    assert span(period) == expected_span
    assert seconds(period) == hours * HOUR


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25", "2026-11-27", "2028-02-29"])
def test_tokyo_days_always_last_24_hours(day: str) -> None:
    """Japan keeps no daylight saving: Berlin's change days are ordinary days there."""
    period = named("daily", day, "Asia/Tokyo")
    assert seconds(period) == DAY
    assert period.start.isoformat() == f"{day}T00:00:00+09:00"


@given(st.integers(min_value=int(FIRST_NAMEABLE_EVERYWHERE), max_value=int(LAST_INSTANT)))
def test_tokyo_and_utc_days_always_last_24_hours_and_begin_at_midnight(now_s: int) -> None:
    """No clock change since 1971 in either zone: every day is 86,400 s, from 00:00:00 local."""
    for zone in ("Asia/Tokyo", "UTC"):
        period = current("daily", zone, now_s)
        assert seconds(period) == DAY
        assert period.start.time().isoformat() == "00:00:00"


# --- Midnight skipped or repeated ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "expected_span", "hours"),
    [
        # Chile springs forward at 24:00 on Saturday 2022-09-10: Sunday begins at 01:00-03:00 (04:00Z). Saturday
        # still lasts 24 h (04:00Z to 04:00Z); Sunday, ending at 00:00-03:00, lasts 23 h.
        ("America/Santiago", "2022-09-11", ("2022-09-11", "2022-09-11T01:00:00-03:00", "2022-09-12T00:00:00-03:00"),
         23),
        ("America/Santiago", "2022-09-10", ("2022-09-10", "2022-09-10T00:00:00-04:00", "2022-09-11T01:00:00-03:00"),
         24),
        # Chile falls back at 24:00 on Saturday 2022-04-02 to 23:00: Saturday lasts 25 h, Sunday begins 00:00-04:00.
        ("America/Santiago", "2022-04-02", ("2022-04-02", "2022-04-02T00:00:00-03:00", "2022-04-03T00:00:00-04:00"),
         25),
        # Cuba springs forward at 00:00 on Sunday 2026-03-08: the day begins at 01:00-04:00 (05:00Z).
        ("America/Havana", "2026-03-08", ("2026-03-08", "2026-03-08T01:00:00-04:00", "2026-03-09T00:00:00-04:00"),
         23),
        # Cuba falls back at 01:00 on Sunday 2026-11-01 to 00:00: midnight happens twice, the day begins at the first.
        ("America/Havana", "2026-11-01", ("2026-11-01", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"),
         25),
    ],
)  # fmt: skip
def test_a_day_whose_midnight_a_clock_change_skips_or_repeats_begins_at_its_first_instant(
    zone: str, day: str, expected_span: tuple[str, str, str], hours: int
) -> None:
    """A skipped midnight: the day begins when the clock jumps. A repeated midnight: at its first occurrence."""
    period = named("daily", day, zone)
    assert span(period) == expected_span
    assert seconds(period) == hours * HOUR


def test_instants_around_a_skipped_midnight_fall_on_either_side_of_the_jump() -> None:
    """Santiago 2022-09-11: 03:59:59.999Z is 23:59:59.999-04:00 on Saturday, 04:00Z is 01:00-03:00 on Sunday."""
    assert current("daily", "America/Santiago", utc("2022-09-11T03:59:59.999")).id == "2022-09-10"
    assert current("daily", "America/Santiago", utc("2022-09-11T04:00")).id == "2022-09-11"
    week = current("weekly", "America/Santiago", utc("2022-09-11T04:00"))
    assert week.start.isoformat() == "2022-09-05T00:00:00-04:00"


def test_the_hour_after_a_repeated_midnight_stays_in_the_new_day() -> None:
    """Havana 2026-11-01: 04:30Z (00:30-04:00) and 05:30Z (00:30-05:00, the repeat) are both Sunday."""
    assert current("daily", "America/Havana", utc("2026-11-01T03:59:59.999")).id == "2026-10-31"
    assert current("daily", "America/Havana", utc("2026-11-01T04:30")).id == "2026-11-01"
    assert current("daily", "America/Havana", utc("2026-11-01T05:30")).id == "2026-11-01"


# St John's (until 2010) fell back at 00:01 to 23:01 of the day before: on Sunday 2008-11-02 at 02:31Z the clock went
# from 00:01-02:30 back to Saturday 23:01-03:30. Sunday began at its first midnight (02:30Z), so the hour that shows
# Saturday again is already Sunday: it is after Saturday's period ended.
ST_JOHNS_SATURDAY_AGAIN = utc("2008-11-02T02:45")  # shown as 2008-11-01 23:14-03:30


def test_a_clock_set_back_across_midnight_does_not_reopen_the_day_that_ended() -> None:
    """Regression: current() gave Saturday here, a period that had already ended before the instant."""
    period = current("daily", "America/St_Johns", ST_JOHNS_SATURDAY_AGAIN)
    assert span(period) == ("2008-11-02", "2008-11-02T00:00:00-02:30", "2008-11-03T00:00:00-03:30")
    assert seconds(period) == 25 * HOUR
    assert span(previous(period)) == ("2008-11-01", "2008-11-01T00:00:00-02:30", "2008-11-02T00:00:00-02:30")
    assert current("weekly", "America/St_Johns", ST_JOHNS_SATURDAY_AGAIN).id == "2008-W44"  # Mon 10-27 .. Sun 11-02
    # Antarctica/Casey went from 2010-03-05 02:00+11:00 back to 2010-03-04 23:00+08:00 at 15:00Z.
    assert current("daily", "Antarctica/Casey", utc("2010-03-04T15:30")).id == "2010-03-05"


# --- ISO weeks ----------------------------------------------------------------------------------------------------


def test_2026_has_a_week_53_and_2025_has_not() -> None:
    """2026 begins on a Thursday, so it has 53 ISO weeks; 2025 begins on a Wednesday and has 52."""
    assert span(named("weekly", "2026-W53", "UTC")) == (
        "2026-W53",
        "2026-12-28T00:00:00+00:00",
        "2027-01-04T00:00:00+00:00",
    )
    assert current("weekly", "UTC", utc("2027-01-03T23:59:59.999")).id == "2026-W53"
    with pytest.raises(InvalidInput, match="names no weekly period"):
        named("weekly", "2025-W53", "UTC")
    with pytest.raises(InvalidInput, match="names no weekly period"):
        parse_choice("weekly:2025-W53")


def test_the_week_spanning_new_year_is_named_by_its_iso_year() -> None:
    """Tuesday 2024-12-31 is in 2025-W01 (from Monday 2024-12-30); Sunday 2021-01-03 is in 2020-W53."""
    assert span(current("weekly", "UTC", utc("2024-12-31T12:00"))) == (
        "2025-W01",
        "2024-12-30T00:00:00+00:00",
        "2025-01-06T00:00:00+00:00",
    )
    assert span(current("weekly", "UTC", utc("2021-01-03T12:00"))) == (
        "2020-W53",
        "2020-12-28T00:00:00+00:00",
        "2021-01-04T00:00:00+00:00",
    )


@pytest.mark.parametrize(
    ("kind", "period_id", "zone", "before"),
    [
        ("weekly", "2027-W01", "UTC", ("2026-W53", "2026-12-28T00:00:00+00:00", "2027-01-04T00:00:00+00:00")),
        ("daily", "2026-03-01", "UTC", ("2026-02-28", "2026-02-28T00:00:00+00:00", "2026-03-01T00:00:00+00:00")),
        ("daily", "2028-03-01", "UTC", ("2028-02-29", "2028-02-29T00:00:00+00:00", "2028-03-01T00:00:00+00:00")),
        ("monthly", "2026-01", "UTC", ("2025-12", "2025-12-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00")),
        ("daily", "2026-03-30", "Europe/Berlin",
         ("2026-03-29", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00")),
    ],
)  # fmt: skip
def test_previous_is_the_period_just_before(kind: str, period_id: str, zone: str, before: tuple[str, str, str]) -> None:
    """Across a year, a leap day, a month boundary and a clock change."""
    assert span(previous(named(kind, period_id, zone))) == before


# --- Resolving what a read asked for ------------------------------------------------------------------------------


def test_current_and_previous_are_taken_at_the_given_instant_in_the_boards_zone() -> None:
    """At 20:00Z on Saturday it is already Sunday in Tokyo, still Saturday in UTC."""
    assert PeriodChoice("daily", "current").resolve("Asia/Tokyo", SAT_2026_11_28_20H_UTC) == named(
        "daily", "2026-11-29", "Asia/Tokyo"
    )
    assert PeriodChoice("daily", "previous").resolve("Asia/Tokyo", SAT_2026_11_28_20H_UTC) == named(
        "daily", "2026-11-28", "Asia/Tokyo"
    )
    resolved = PeriodChoice("daily", "current").resolve("UTC", SAT_2026_11_28_20H_UTC)
    assert resolved is not None
    assert resolved.id == "2026-11-28"
    weekly = PeriodChoice("weekly", "previous").resolve("UTC", SAT_2026_11_28_20H_UTC)
    assert weekly is not None
    assert weekly.id == "2026-W47"


def test_a_named_period_that_has_begun_resolves_to_itself() -> None:
    """A past period, and one that began this very millisecond, can be read."""
    october = named("monthly", "2026-10", "UTC")
    assert PeriodChoice("monthly", "2026-10").resolve("UTC", SAT_2026_11_28_20H_UTC) == october
    assert PeriodChoice("daily", "2026-11-28").resolve("UTC", utc("2026-11-28")) == named("daily", "2026-11-28", "UTC")
    with pytest.raises(InvalidInput, match="has not begun yet"):
        PeriodChoice("daily", "2026-11-28").resolve("UTC", utc("2026-11-27T23:59:59.999"))


def test_a_named_period_that_has_not_begun_in_the_boards_zone_is_refused() -> None:
    """Whether a period has begun depends on the board's zone, not on UTC."""
    tokyo_sunday = PeriodChoice("daily", "2026-11-29").resolve("Asia/Tokyo", SAT_2026_11_28_20H_UTC)
    assert tokyo_sunday is not None
    assert tokyo_sunday.id == "2026-11-29"
    not_yet = r"daily:2026-11-29 has not begun yet \(it begins 2026-11-29T00:00:00\+00:00\)"
    with pytest.raises(InvalidInput, match=not_yet):
        PeriodChoice("daily", "2026-11-29").resolve("UTC", SAT_2026_11_28_20H_UTC)
    # The other way round: Saturday has begun in UTC but not yet in Los Angeles.
    assert PeriodChoice("daily", "2026-11-28").resolve("UTC", SAT_2026_11_28_02H_UTC) is not None
    with pytest.raises(InvalidInput, match=r"it begins 2026-11-28T00:00:00-08:00"):
        PeriodChoice("daily", "2026-11-28").resolve("America/Los_Angeles", SAT_2026_11_28_02H_UTC)
    with pytest.raises(InvalidInput, match="has not begun yet"):
        PeriodChoice("weekly", "2026-W49").resolve("Europe/Berlin", SAT_2026_11_28_20H_UTC)


def test_all_time_resolves_to_no_period_and_answers_without_a_period_field() -> None:
    """An all-time read looks exactly as it did before boards had periods."""
    assert PeriodChoice("all", "current").resolve("Asia/Tokyo", SAT_2026_11_28_20H_UTC) is None
    assert period_json(None) == {}
    assert period_json(named("daily", "2026-03-29", "Europe/Berlin")) == {
        "period": {
            "kind": "daily",
            "id": "2026-03-29",
            "start": "2026-03-29T00:00:00+01:00",
            "end": "2026-03-30T00:00:00+02:00",
        }
    }
    assert named("weekly", "2026-W48", "UTC").key == "weekly:2026-W48"


# --- Parsing selectors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("all", PeriodChoice("all", "current")),
        ("daily", PeriodChoice("daily", "current")),
        ("weekly:previous", PeriodChoice("weekly", "previous")),
        ("daily:2026-11-27", PeriodChoice("daily", "2026-11-27")),
        ("daily:2028-02-29", PeriodChoice("daily", "2028-02-29")),
        ("weekly:2026-W47", PeriodChoice("weekly", "2026-W47")),
        ("weekly:2026-W53", PeriodChoice("weekly", "2026-W53")),
        ("monthly:2026-10", PeriodChoice("monthly", "2026-10")),
        ("daily:1971-01-01", PeriodChoice("daily", "1971-01-01")),
        ("monthly:9998-12", PeriodChoice("monthly", "9998-12")),
    ],
)
def test_well_formed_selectors_are_read(raw: str, expected: PeriodChoice) -> None:
    assert parse_choice(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "x",
        "",
        "Daily",
        " daily",
        "daily:",
        "all:",
        "all:previous",
        "all:2026",
        "hourly:previous",
    ],
)
def test_malformed_selectors_are_refused_naming_the_forms_allowed(raw: str) -> None:
    with pytest.raises(InvalidInput, match=r"period must be one of all, daily, weekly, monthly"):
        parse_choice(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "daily:2026-2-3",
        "daily:2026-02-30",
        "daily:2026-02-29",  # 2026 is not a leap year
        "daily:2026-11-27T00:00",
        "daily:2026-11-27\n",
        "daily:2026-W47",
        "daily:current",  # the current period is asked for by the bare kind
        "daily:Previous",
        "monthly:2026-13",
        "monthly:2026-00",
        "monthly:2026-1",
        "monthly:2026-10-01",
        "weekly:2026-W00",
        "weekly:2026-W54",
        "weekly:2026-47",
        "weekly:2026-w47",
        "daily:\u0662\u0660\u0662\u0666-\u0661\u0661-\u0662\u0667",  # 2026-11-27 in Arabic-Indic digits
        "monthly:\uff12\uff10\uff12\uff16-10",  # full-width 2026
        "daily:1970-12-31",
        "weekly:1970-W53",
        "monthly:0000-01",
        "daily:9999-01-01",
        "monthly:9999-12",
        "daily:+2026-11-27",
    ],
)
def test_ids_that_name_no_period_are_refused(raw: str) -> None:
    """Only ASCII digits in the exact form, a real calendar date, and years 1971..9998."""
    kind = raw.partition(":")[0]
    with pytest.raises(InvalidInput, match=f"names no {kind} period: give .* from 1971 to 9998"):
        parse_choice(raw)


@pytest.mark.parametrize("raw", [None, 5, 2026.11, b"daily", ["daily"], {"period": "daily"}])
def test_a_selector_that_is_not_text_is_refused(raw: object) -> None:
    with pytest.raises(InvalidInput, match="period must be text"):
        parse_choice(raw)


def test_a_long_bad_selector_is_not_echoed_whole() -> None:
    """The message quotes at most 80 characters of what was sent."""
    with pytest.raises(InvalidInput) as refused:
        parse_choice("x" * 10_000)
    assert len(refused.value.message) < 300


# --- Board settings -----------------------------------------------------------------------------------------------


def test_the_defaults_are_all_time_in_utc() -> None:
    assert KINDS == ("all", "daily", "weekly", "monthly")
    assert DEFAULT_PERIODS == ("all",)
    assert DEFAULT_TIME_ZONE == "UTC"
    assert parse_periods(list(DEFAULT_PERIODS)) == DEFAULT_PERIODS
    assert parse_time_zone(DEFAULT_TIME_ZONE) == "UTC"


def test_periods_are_kept_in_the_order_given() -> None:
    """The first kind listed is what reads default to."""
    assert parse_periods(["weekly", "all", "daily"]) == ("weekly", "all", "daily")
    assert parse_periods(["all", "daily", "weekly", "monthly"]) == KINDS


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ([], "must be a non-empty list"),
        ("daily", "must be a non-empty list"),
        (("daily",), "must be a non-empty list"),
        (None, "must be a non-empty list"),
        ({"daily": True}, "must be a non-empty list"),
        (["hourly"], r"may only hold all, daily, weekly, monthly \(got 'hourly'\)"),
        (["daily", "Weekly"], r"\(got 'Weekly'\)"),
        (["daily", None], r"\(got a non-string\)"),
        ([["daily"]], r"\(got a non-string\)"),
        (["daily", "daily"], "must not list a kind twice"),
        (["all", "weekly", "all"], "must not list a kind twice"),
    ],
)
def test_bad_periods_settings_are_refused(raw: object, rule: str) -> None:
    with pytest.raises(InvalidInput, match=rule):
        parse_periods(raw)


@pytest.mark.parametrize("raw", ["Europe/Berlin", "UTC", "Asia/Tokyo", "America/Santiago", "Australia/Lord_Howe"])
def test_iana_zone_names_are_accepted(raw: str) -> None:
    assert parse_time_zone(raw) == raw


@pytest.mark.parametrize(
    "raw", ["Mars/Olympus", "../etc/passwd", "/usr/share/zoneinfo/UTC", "", "europe/berlin", "Europe/Berlin ", "+01:00"]
)
def test_unknown_zone_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match='"timeZone" must be an IANA time zone name'):
        parse_time_zone(raw)


@pytest.mark.parametrize("raw", [None, 1, ["UTC"], b"UTC"])
def test_a_zone_that_is_not_text_is_refused(raw: object) -> None:
    with pytest.raises(InvalidInput, match=r"\(not a string\)"):
        parse_time_zone(raw)


# --- Periods tile time --------------------------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "Asia/Tokyo", "America/Santiago", "Australia/Lord_Howe", "UTC", "Pacific/Apia"]


@given(
    ms=st.integers(min_value=int(FIRST_NAMEABLE_EVERYWHERE * 1000), max_value=int(LAST_INSTANT * 1000)),
    zone=st.sampled_from([*ZONES, "America/St_Johns", "America/Havana"]),
)
@example(ms=int(ST_JOHNS_SATURDAY_AGAIN * 1000), zone="America/St_Johns")
@example(ms=int(utc("2011-12-30T09:59:59.999") * 1000), zone="Pacific/Apia")  # before Samoa skipped 2011-12-30
@example(ms=int(utc("2022-09-11T04:00") * 1000), zone="America/Santiago")
def test_periods_hold_the_instant_are_named_by_their_id_and_tile_time(ms: int, zone: str) -> None:
    """For every kind: start <= instant < end; the id names the same period; the next one begins where it ends."""
    now_s = ms / 1000
    for kind in ("daily", "weekly", "monthly"):
        period = current(kind, zone, now_s)
        assert period.start.timestamp() <= now_s < period.end.timestamp()
        assert named(kind, period.id, zone).as_json() == period.as_json()
        following = current(kind, zone, period.end.timestamp())
        assert following.start.timestamp() == period.end.timestamp()
        assert following.id != period.id
        assert previous(following).as_json() == period.as_json()
