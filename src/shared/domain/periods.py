"""Seasons: the periods a board keeps besides (or instead of) all time, and where each begins and ends.

A period is a day, an ISO week (Monday first) or a calendar month in the board's time zone. It begins at the first
instant of its first local day, so a daylight-saving day lasts 23 or 25 hours, and a day whose midnight a clock
change skips begins when its clock does. Periods are named by their local calendar label (`2026-11-27`,
`2026-W47`, `2026-10`), the same text in every zone.

Pure functions with no I/O: the time of a request is given (an injectable clock upstream), never read here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Literal, NamedTuple, get_args
from zoneinfo import ZoneInfo, available_timezones

from shared.domain.errors import InvalidInput

Kind = Literal["all", "daily", "weekly", "monthly"]
KINDS: tuple[str, ...] = get_args(Kind)
DEFAULT_PERIODS: tuple[str, ...] = ("all",)
DEFAULT_TIME_ZONE = "UTC"
_IDS = {
    "daily": re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"),
    "weekly": re.compile(r"([0-9]{4})-W([0-9]{2})"),
    "monthly": re.compile(r"([0-9]{4})-([0-9]{2})"),
}
_EXAMPLES = {"daily": "daily:2026-11-27", "weekly": "weekly:2026-W47", "monthly": "monthly:2026-10"}
MIN_YEAR = 1971  # a period of 1970 or before could begin before the Unix epoch in some zone
MAX_YEAR = 9998  # the next period's start still fits a datetime


class Period(NamedTuple):
    """One day, week or month of a board; `start` inclusive, `end` exclusive, both in the board's zone."""

    kind: str
    id: str
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "start": self.start.isoformat(), "end": self.end.isoformat()}


class PeriodChoice(NamedTuple):
    """What a read asked for: a kind, and `current`, `previous` or an id."""

    kind: str
    which: str

    def resolve(self, zone: str, now_s: float) -> Period | None:
        """The period meant at `now_s` (a Unix time) in `zone`; None for all time. A period that has not begun
        yet is refused: nothing can have been scored in it."""
        if self.kind == "all":
            return None
        if self.which == "current":
            return current(self.kind, zone, now_s)
        if self.which == "previous":
            return previous(current(self.kind, zone, now_s))
        period = named(self.kind, self.which, zone)
        if period.start.timestamp() > now_s:
            raise InvalidInput(f"Period {period.key} has not begun yet (it begins {period.start.isoformat()}).")
        return period


def parse_choice(raw: object) -> PeriodChoice:
    """`all`, `daily`, `weekly`, `monthly` (the current one), `<kind>:previous`, or `<kind>:<id>`."""
    if not isinstance(raw, str):
        raise InvalidInput("period must be text such as daily or daily:2026-11-27.")
    kind, _, which = raw.partition(":")
    if kind not in KINDS or (kind == "all" and which) or (which == "" and ":" in raw):
        raise InvalidInput(
            f"period must be one of {', '.join(KINDS)}, optionally with ':previous' or an id "
            f"({', '.join(_EXAMPLES.values())}); got {raw[:80]!r}."
        )
    if not which or which == "previous":
        return PeriodChoice(kind, which or "current")
    named(kind, which, DEFAULT_TIME_ZONE)  # the id is checked here, so a malformed one is a 400 before any I/O
    return PeriodChoice(kind, which)


def parse_periods(raw: object) -> tuple[str, ...]:
    """A board's `periods` setting: a non-empty list of distinct kinds; the first is what reads default to."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f'"periods" must be a non-empty list drawn from {", ".join(KINDS)}.')
    for kind in raw:
        if kind not in KINDS:
            shown = repr(kind) if isinstance(kind, str) else "a non-string"
            raise InvalidInput(f'"periods" may only hold {", ".join(KINDS)} (got {shown}).')
    if len(set(raw)) != len(raw):
        raise InvalidInput('"periods" must not list a kind twice.')
    return tuple(raw)


def parse_time_zone(raw: object) -> str:
    """An IANA time zone name such as Europe/Berlin."""
    if not isinstance(raw, str) or raw not in _zone_names():
        shown = repr(raw[:80]) if isinstance(raw, str) else "not a string"
        raise InvalidInput(f'"timeZone" must be an IANA time zone name such as Europe/Berlin or UTC ({shown}).')
    return raw


def current(kind: str, zone: str, now_s: float) -> Period:
    """The period of this kind that holds the instant `now_s` (a Unix time) in `zone`."""
    period = _holding(kind, datetime.fromtimestamp(now_s, UTC).astimezone(_zone(zone)).date(), zone)
    if now_s >= period.end.timestamp():
        # A clock set back across midnight (America/St_Johns until 2010) shows the day just ended once more, but
        # the next day began at its first midnight: the instant is in the next period.
        period = _holding(kind, period.end.date(), zone)
    return period


def _holding(kind: str, day: date, zone: str) -> Period:
    """The period of this kind whose local calendar holds `day`."""
    if kind == "daily":
        return _period(kind, day, day + timedelta(days=1), zone)
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        return _period(kind, monday, monday + timedelta(weeks=1), zone)
    first = day.replace(day=1)
    return _period(kind, first, _next_month(first), zone)


def previous(period: Period) -> Period:
    """The period of the same kind just before."""
    return current(period.kind, str(period.start.tzinfo), period.start.timestamp() - 1e-3)


def named(kind: str, period_id: str, zone: str) -> Period:
    """The period of this kind with this id; InvalidInput for an id that names none."""
    match = _IDS[kind].fullmatch(period_id)
    try:
        if match is None:
            raise ValueError(period_id)
        year, number = int(match[1]), int(match[2])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(period_id)
        if kind == "daily":
            first = date(year, number, int(match[3]))
            return _period(kind, first, first + timedelta(days=1), zone)
        if kind == "weekly":
            first = date.fromisocalendar(year, number, 1)  # refuses week 53 of a year that has 52
            return _period(kind, first, first + timedelta(weeks=1), zone)
        first = date(year, number, 1)
        return _period(kind, first, _next_month(first), zone)
    except ValueError:
        raise InvalidInput(
            f"{kind}:{period_id[:40]} names no {kind} period: give {_EXAMPLES[kind]}, from {MIN_YEAR} to {MAX_YEAR}."
        ) from None


def _period(kind: str, first: date, end: date, zone: str) -> Period:
    period_id = (
        first.isoformat()
        if kind == "daily"
        else f"{first.isocalendar().year}-W{first.isocalendar().week:02d}"
        if kind == "weekly"
        else f"{first.year}-{first.month:02d}"
    )
    return Period(kind, period_id, _day_start(first, zone), _day_start(end, zone))


def _day_start(day: date, zone: str) -> datetime:
    """The first instant of a local day. Midnight, or, where a clock change skips midnight, the instant the clock
    jumps (zoneinfo reads a skipped time by the offset before the change, which lands on that instant)."""
    tz = _zone(zone)
    instant = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    return instant.astimezone(tz)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())
