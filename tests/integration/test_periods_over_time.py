"""Periods against the record and the index (momento-local, moto's DynamoDB) with a clock the test sets, never a
sleep: exact day, week and month boundaries in a zone with daylight saving (Europe/Berlin) and one without
(Asia/Tokyo), every period written by one submission by its own rule, past periods rebuilt from the record after
the index lost them, what the keep-alive keeps, removal from every period, and faults in the middle of a write."""

from __future__ import annotations

import sys
import threading
import time
from datetime import datetime
from typing import Any

import pytest

from tests.support.record import index_of, record_of
from tests.support.service import Service

ALL_KINDS = ["daily", "weekly", "monthly", "all"]


class Clock:
    """The service's time: set by the test; a wait advances it instead of sleeping."""

    def __init__(self, iso: str) -> None:
        self.instant = at(iso)

    def now(self) -> float:
        return self.instant

    def set(self, iso: str) -> None:
        self.instant = at(iso)

    def sleep(self, seconds: float) -> None:
        self.instant += seconds


class RunningClock(Clock):
    """Time that runs, from a set instant: for concurrent writers, whose waits must not move each other's clock."""

    def __init__(self, iso: str) -> None:
        super().__init__(iso)
        self._started = time.monotonic()

    def now(self) -> float:
        return self.instant + time.monotonic() - self._started

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def at(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class Boards:
    """The service's domain layer (what the handlers call) with the test's clock, in the handlers' own terms."""

    def __init__(self, service: Service, clock: Clock, index: Any = None) -> None:
        built = service.modules["handlers.submit_score"].SERVICE.leaderboards  # the handlers' own stores
        boards, self.shared = sys.modules["shared.domain.leaderboards"], _shared()
        self.key = self.shared.platform.secret.Secret("momento", service.api_key, lambda: service.api_key)
        self.index = index or built._index
        self.domain = boards.Leaderboards(self.index, built._record, built._config, clock)

    def configure(self, board: str, **changes: Any) -> dict[str, Any]:
        parsed = self.shared.http.parsing.parse_settings_change(
            {"pathParameters": {"leaderboard": board}, "body": changes}
        )
        settings: dict[str, Any] = self.domain.update_settings(parsed, self.key).as_json()
        return settings

    def submit(self, board: str, player: str, score: float) -> float:
        submission = self.shared.domain.rules.Submission(board, player, score)
        on_board: float = self.domain.submit(submission, self.key)
        return on_board

    def page(self, board: str, period: str | None = None) -> tuple[dict[str, float], dict[str, str] | None]:
        """The board's players and scores in the period (by rank), and the period answered."""
        leaderboard = self.shared.domain.rules
        request = leaderboard.PageRequest(board, 0, 100, self._choice(period))
        answer = self.domain.view(request, self.key)
        entries = {e.player: e.score for e in answer.value.entries}
        return entries, answer.period.as_json() if answer.period else None

    def standing(self, board: str, player: str, period: str | None = None) -> tuple[float, int] | None:
        ref = self.shared.domain.rules.PlayerRef(board, player, self._choice(period))
        try:
            standing = self.domain.standing(ref, self.key).value
        except self.shared.domain.errors.PlayerNotFound:
            return None
        return standing.score, standing.rank

    def remove_player(self, board: str, player: str) -> None:
        self.domain.remove_player(self.shared.domain.rules.PlayerRef(board, player), self.key)

    def remove_board(self, board: str) -> None:
        self.domain.remove_board(self.shared.domain.rules.BoardRef(board), self.key)

    def _choice(self, period: str | None) -> Any:
        return None if period is None else self.shared.domain.periods.parse_choice(period)


def _shared() -> Any:
    """The freshly imported shared package (the service's cold start imported it anew)."""
    import shared.domain.errors  # noqa: PLC0415 - after the service's fresh import
    import shared.domain.periods  # noqa: PLC0415
    import shared.domain.rules  # noqa: PLC0415
    import shared.http.parsing  # noqa: PLC0415
    import shared.platform.secret  # noqa: PLC0415

    return shared


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-11-27T12:00:00+01:00")


@pytest.fixture
def boards(service: Service, clock: Clock) -> Boards:
    return Boards(service, clock)


def players(boards: Boards, board: str, period: str | None = None) -> dict[str, float]:
    return boards.page(board, period)[0]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo"])
def test_the_last_millisecond_of_a_day_week_and_month_counts_for_it_and_the_next_for_the_next(
    boards: Boards, clock: Clock, zone: str
) -> None:
    offset = "+01:00" if zone == "Europe/Berlin" else "+09:00"
    boards.configure("cup", periods=ALL_KINDS, timeZone=zone)
    for player, local in [
        ("sun-last", "2026-11-29T23:59:59.999"),  # Sunday: day 29, ISO week 48
        ("mon-first", "2026-11-30T00:00:00.000"),  # Monday: day 30, week 49
        ("nov-last", "2026-11-30T23:59:59.999"),  # the month's last millisecond
        ("dec-first", "2026-12-01T00:00:00.000"),
    ]:
        clock.set(local + offset)
        boards.submit("cup", player, 1)
    clock.set("2026-12-02T12:00:00" + offset)
    assert players(boards, "cup", "daily:2026-11-29") == {"sun-last": 1}
    assert players(boards, "cup", "daily:2026-11-30") == {"mon-first": 1, "nov-last": 1}
    assert players(boards, "cup", "daily:2026-12-01") == {"dec-first": 1}
    assert players(boards, "cup", "weekly:2026-W48") == {"sun-last": 1}
    assert players(boards, "cup", "weekly:2026-W49") == {"mon-first": 1, "nov-last": 1, "dec-first": 1}
    assert players(boards, "cup", "monthly:2026-11") == {"sun-last": 1, "mon-first": 1, "nov-last": 1}
    assert players(boards, "cup", "monthly") == {"dec-first": 1}
    assert len(players(boards, "cup", "all")) == 4
    _, period = boards.page("cup", "weekly:2026-W49")
    assert period == {
        "kind": "weekly",
        "id": "2026-W49",
        "start": "2026-11-30T00:00:00" + offset,
        "end": "2026-12-07T00:00:00" + offset,
    }


def test_a_day_with_a_clock_change_lasts_25_hours_in_berlin_and_24_in_tokyo(boards: Boards, clock: Clock) -> None:
    """Berlin's clocks go back at 03:00 on 2026-10-25: 02:30 happens twice, both times on the 25th, and the day
    ends 25 hours after it began. The same instants in Tokyo fall on the days their +09:00 clock shows."""
    boards.configure("berlin", periods=["daily"], timeZone="Europe/Berlin")
    boards.configure("tokyo", periods=["daily"], timeZone="Asia/Tokyo")
    instants = {
        "first-0230": "2026-10-25T02:30:00+02:00",  # 00:30 UTC
        "second-0230": "2026-10-25T02:30:00+01:00",  # 01:30 UTC
        "last-ms": "2026-10-25T23:59:59.999+01:00",  # 22:59:59.999 UTC
        "next-day": "2026-10-26T00:00:00+01:00",
    }
    for player, instant in instants.items():
        clock.set(instant)
        boards.submit("berlin", player, 1)
        boards.submit("tokyo", player, 1)
    clock.set("2026-10-27T12:00:00+01:00")
    day, period = boards.page("berlin", "daily:2026-10-25")
    assert set(day) == {"first-0230", "second-0230", "last-ms"}
    assert period == {
        "kind": "daily",
        "id": "2026-10-25",
        "start": "2026-10-25T00:00:00+02:00",
        "end": "2026-10-26T00:00:00+01:00",
    }
    assert at(period["end"]) - at(period["start"]) == 25 * 3600
    assert set(players(boards, "tokyo", "daily:2026-10-25")) == {"first-0230", "second-0230"}  # 09:30, 10:30
    assert set(players(boards, "tokyo", "daily:2026-10-26")) == {"last-ms", "next-day"}  # 07:59:59.999, 08:00
    _, tokyo = boards.page("tokyo", "daily:2026-10-25")
    assert at(tokyo["end"]) - at(tokyo["start"]) == 24 * 3600  # type: ignore[index]


def test_the_spring_day_lasts_23_hours(boards: Boards, clock: Clock) -> None:
    boards.configure("berlin", periods=["daily"], timeZone="Europe/Berlin")
    clock.set("2026-03-29T01:59:59.999+01:00")  # the last millisecond before the clocks jump to 03:00
    boards.submit("berlin", "before-jump", 1)
    clock.set("2026-03-29T03:00:00+02:00")
    boards.submit("berlin", "after-jump", 1)
    day, period = boards.page("berlin")
    assert set(day) == {"before-jump", "after-jump"}
    assert period is not None
    assert (period["start"], period["end"]) == ("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00")
    assert at(period["end"]) - at(period["start"]) == 23 * 3600


def test_iso_week_53_spans_new_year(boards: Boards, clock: Clock) -> None:
    boards.configure("cup", periods=["weekly", "monthly"], timeZone="Asia/Tokyo")
    for player, instant in [
        ("w52-last", "2026-12-27T23:59:59.999+09:00"),
        ("dec-31", "2026-12-31T10:00:00+09:00"),
        ("jan-3", "2027-01-03T23:59:59.999+09:00"),
        ("w01-first", "2027-01-04T00:00:00+09:00"),
    ]:
        clock.set(instant)
        boards.submit("cup", player, 1)
    assert set(players(boards, "cup", "weekly:2026-W53")) == {"dec-31", "jan-3"}
    assert set(players(boards, "cup", "weekly:previous")) == {"dec-31", "jan-3"}
    assert set(players(boards, "cup", "weekly")) == {"w01-first"}
    assert set(players(boards, "cup", "monthly:2026-12")) == {"w52-last", "dec-31"}
    assert set(players(boards, "cup")) == {"w01-first"}  # the first listed kind: weekly
    assert set(players(boards, "cup", "monthly")) == {"jan-3", "w01-first"}


def test_best_and_increment_keep_each_period_by_its_own_rule(boards: Boards, clock: Clock) -> None:
    boards.configure("best", periods=["daily", "all"], update="best")
    boards.configure("sum", periods=["daily", "weekly", "all"], update="increment")
    clock.set("2026-11-27T10:00:00Z")
    assert [boards.submit("best", "ada", s) for s in (10, 7)] == [10, 10]
    assert [boards.submit("sum", "ada", s) for s in (3, 4)] == [3, 7]
    clock.set("2026-11-28T10:00:00Z")
    assert boards.submit("best", "ada", 5) == 5  # today's best, the first listed
    assert boards.submit("sum", "ada", 5) == 5
    assert boards.standing("best", "ada") == (5, 0)
    assert boards.standing("best", "ada", "daily:previous") == (10, 0)
    assert boards.standing("best", "ada", "all") == (10, 0)
    assert boards.standing("sum", "ada", "daily:previous") == (7, 0)
    assert boards.standing("sum", "ada", "weekly") == (12, 0)
    assert boards.standing("sum", "ada", "all") == (12, 0)


def test_a_kind_added_starts_empty_and_a_kind_removed_stops_but_stays_readable(boards: Boards, clock: Clock) -> None:
    clock.set("2026-11-27T10:00:00Z")
    boards.submit("cup", "ada", 1)
    boards.configure("cup", periods=["all", "daily"])
    assert players(boards, "cup", "daily") == {}
    assert players(boards, "cup") == {"ada": 1}  # all time is still the first listed
    boards.submit("cup", "bob", 2)
    assert players(boards, "cup", "daily") == {"bob": 2}
    boards.configure("cup", periods=["all"])
    boards.submit("cup", "cyd", 3)
    assert players(boards, "cup", "daily") == {"bob": 2}
    clock.set("2026-11-29T10:00:00Z")
    assert players(boards, "cup", "daily:2026-11-27") == {"bob": 2}


def test_a_past_period_lost_by_the_index_is_rebuilt_from_the_record_and_only_current_ones_are_kept_alive(
    service: Service, boards: Boards, clock: Clock
) -> None:
    boards.configure("cup", periods=["daily", "all"], timeZone="Europe/Berlin")
    clock.set("2026-11-26T10:00:00+01:00")
    boards.submit("cup", "ada", 5)
    clock.set("2026-11-27T10:00:00+01:00")
    boards.submit("cup", "bob", 7)
    boards.submit("cup", "ada", 6)
    assert boards.domain.keep_alive(boards.key, deadline=clock.now() + 60).kept == 2  # today's set and all time's
    service.momento.store.flush_cache(service.cache)
    clock.set("2026-11-28T10:00:00+01:00")
    assert boards.page("cup", "daily:previous") == (
        {"bob": 7, "ada": 6},
        {
            "kind": "daily",
            "id": "2026-11-27",
            "start": "2026-11-27T00:00:00+01:00",
            "end": "2026-11-28T00:00:00+01:00",
        },
    )
    assert boards.standing("cup", "ada", "daily:2026-11-26") == (5, 0)
    assert index_of(service, "cup@daily:2026-11-28") is None  # nothing scored today: no set made for it
    assert players(boards, "cup") == {}
    assert boards.standing("cup", "ada") is None
    assert index_of(service, "cup@daily:2026-11-28") is None
    report = boards.domain.keep_alive(boards.key, deadline=clock.now() + 60)
    assert (report.kept, report.rebuilt) == (0, 1)  # all time rebuilt; today has no scores; past days left alone
    assert index_of(service, "cup") == {"bob": 7, "ada": 6}


def test_removing_a_player_takes_them_out_of_every_period_past_ones_included(
    service: Service, boards: Boards, clock: Clock
) -> None:
    boards.configure("cup", periods=["daily", "weekly", "all"])
    for day in ("2026-11-20", "2026-11-26", "2026-11-27"):
        clock.set(f"{day}T10:00:00Z")
        boards.submit("cup", "ada", 1)
        boards.submit("cup", "bob", 2)
    service.momento.store.flush_cache(service.cache)  # the index lost every set (past days' expire anyway)...
    assert "ada" in players(boards, "cup", "daily:2026-11-26")  # ...and this read rebuilt that day's
    assert index_of(service, "cup@daily:2026-11-26") == {"ada": 1, "bob": 2}
    boards.remove_player("cup", "ada")
    for period in ("daily", "daily:2026-11-26", "daily:2026-11-20", "weekly", "weekly:2026-W47", "all"):
        assert players(boards, "cup", period) == {"bob": 2}, period
    service.momento.store.flush_cache(service.cache)
    assert players(boards, "cup", "daily:2026-11-20") == {"bob": 2}
    for name in ("cup", "cup@daily:2026-11-20", "cup@daily:2026-11-26", "cup@weekly:2026-W48"):
        assert record_of(service, name) == {"bob": 2}, name


def test_removing_a_player_reaches_a_past_day_the_keep_alive_kept_in_the_index(
    service: Service, boards: Boards, clock: Clock
) -> None:
    """The keep-alive raises a current day's TTL until the day ends, so its set outlives its last write by more
    than the TTL: the next day's removal must still take the player out of it."""
    boards.configure("cup", periods=["daily", "all"])
    clock.set("2026-11-26T10:00:00Z")
    boards.submit("cup", "ada", 1)
    boards.submit("cup", "bob", 2)
    clock.set("2026-11-26T18:00:00Z")
    boards.domain.keep_alive(boards.key, deadline=clock.now() + 60)
    clock.set("2026-11-27T12:00:00Z")  # more than the TTL (24 h) after the last write, within it of the keep-alive
    boards.remove_player("cup", "ada")
    assert players(boards, "cup", "daily:2026-11-26") == {"bob": 2}
    assert index_of(service, "cup@daily:2026-11-26") == {"bob": 2}


def test_increments_after_a_removal_count_in_the_boards_new_life(
    service: Service, boards: Boards, clock: Clock
) -> None:
    boards.submit("cup", "ada", 1)
    boards.remove_board("cup")
    boards.configure("cup", periods=["all", "daily"], update="increment")
    assert [boards.submit("cup", "ada", 5) for _ in range(2)] == [5, 10]
    assert boards.standing("cup", "ada") == (10, 0)
    assert boards.standing("cup", "ada", "daily") == (10, 0)
    assert record_of(service, "cup", generation=1) == {"ada": 10}


def test_removing_a_board_removes_every_period(service: Service, boards: Boards, clock: Clock) -> None:
    boards.configure("cup", periods=["daily", "all"])
    for day in ("2026-11-26", "2026-11-27"):
        clock.set(f"{day}T10:00:00Z")
        boards.submit("cup", "ada", 1)
    boards.remove_board("cup")
    assert players(boards, "cup", "daily:2026-11-26") == {}
    assert players(boards, "cup", "daily") == {}  # the board starts again with all time only...
    assert boards.page("cup")[1] is None
    items = service.dynamodb.scan(TableName=service.table_name)["Items"]
    assert [i["pk"]["S"] for i in items] == ["boards"]  # ...and nothing of the old one is left in the record
    boards.configure("cup", periods=["daily"])
    boards.submit("cup", "bob", 2)
    assert players(boards, "cup") == {"bob": 2}


def test_concurrent_increments_sum_exactly_in_every_period(service: Service) -> None:
    boards = Boards(service, RunningClock("2026-11-27T10:00:00Z"))
    boards.configure("race", periods=["daily", "weekly", "all"], update="increment")
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def add(amount: int) -> None:
        barrier.wait()
        try:
            boards.submit("race", "ada", amount)
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for name in ("race", "race@daily:2026-11-27", "race@weekly:2026-W48"):
        assert record_of(service, name) == index_of(service, name) == {"ada": 36}, name


class FailingPuts:
    """The service's index, but its puts into the sets of the `failing` kind of period fail as Momento being down
    does."""

    def __init__(self, index: Any, failing: str, error: type[Exception]) -> None:
        self._index, self._failing, self._error = index, failing, error

    def put_score(self, scope: Any, *args: Any) -> None:
        if scope.period is not None and scope.period.kind == self._failing:
            raise self._error("Momento answered SERVER_UNAVAILABLE")
        self._index.put_score(scope, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


@pytest.mark.parametrize("update", ["latest", "best"])
def test_a_write_that_fails_in_one_period_converges_when_retried(
    service: Service, boards: Boards, clock: Clock, update: str
) -> None:
    boards.configure("cup", periods=["daily", "weekly", "all"], update=update)
    clock.set("2026-11-27T10:00:00Z")
    boards.submit("cup", "ada", 5)
    failing = Boards(service, clock, FailingPuts(boards.index, "weekly", boards.shared.domain.errors.StoreUnavailable))
    with pytest.raises(boards.shared.domain.errors.StoreUnavailable):
        failing.submit("cup", "ada", 9)
    assert index_of(service, "cup@weekly:2026-W48") == {"ada": 5}  # the failed period: not indexed yet
    assert boards.submit("cup", "ada", 9) == 9  # the client's retry
    for name in ("cup", "cup@daily:2026-11-27", "cup@weekly:2026-W48"):
        assert record_of(service, name) == index_of(service, name) == {"ada": 9}, name


def test_an_increment_is_written_to_every_period_or_to_none(service: Service, boards: Boards, clock: Clock) -> None:
    """A total that would pass 2^53 in one period (all time) refuses the increment in all of them: today's total,
    which it would not pass, is left as it was."""
    boards.configure("sum", periods=["daily", "all"], update="increment")
    clock.set("2026-11-26T10:00:00Z")
    boards.submit("sum", "ada", 2**53 - 10)
    clock.set("2026-11-27T10:00:00Z")
    boards.submit("sum", "ada", 5)
    with pytest.raises(boards.shared.domain.errors.InvalidInput, match="2\\^53"):
        boards.submit("sum", "ada", 6)
    assert record_of(service, "sum@daily:2026-11-27") == index_of(service, "sum@daily:2026-11-27") == {"ada": 5}
    assert record_of(service, "sum") == {"ada": 2**53 - 5}


def test_an_increment_whose_index_fails_is_recorded_once_in_every_period(
    service: Service, boards: Boards, clock: Clock
) -> None:
    boards.configure("sum", periods=["daily", "all"], update="increment")
    clock.set("2026-11-27T10:00:00Z")
    boards.submit("sum", "ada", 1)
    failing = Boards(service, clock, FailingPuts(boards.index, "daily", boards.shared.domain.errors.StoreUnavailable))
    with pytest.raises(boards.shared.domain.errors.StoreUnavailable):
        failing.submit("sum", "ada", 2)
    assert record_of(service, "sum") == record_of(service, "sum@daily:2026-11-27") == {"ada": 3}
    assert boards.submit("sum", "ada", 4) == 7  # the next write brings the index to the record's total
    assert index_of(service, "sum@daily:2026-11-27") == index_of(service, "sum") == {"ada": 7}
