"""Periods (seasons) over both transports, at the real time of the request: a board keeping daily, weekly and
monthly rankings beside all time, every read choosing one with ?period= and saying which it answered, the 400s of
malformed and future periods, and removal from every period. Exact boundaries and daylight saving are tested with
a clock the test sets (tests/integration/test_periods_over_time.py)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from tests.support.api_client import ApiClient, ApiResponse, assert_error

ALL_KINDS = ["daily", "weekly", "monthly", "all"]


def configure(api: ApiClient, board: str, **settings: object) -> dict[str, object]:
    response = api.settings(board, settings)
    assert response.status == 200, response.text
    return dict(response.json()["settings"])


def submit(api: ApiClient, board: str, name: str, score: float) -> ApiResponse:
    response = api.submit(board, name, {"score": score})
    assert response.status == 202, response.text
    return response


def period_of(response: ApiResponse) -> dict[str, str]:
    assert response.status == 200, response.text
    return dict(response.json()["period"])


def assert_current(period: dict[str, str], kind: str, asked_at: float, answered_at: float) -> None:
    """The period holds the moment of the request (between the two clock readings around it), and its id names
    the local day, ISO week or month its start falls on."""
    start, end = datetime.fromisoformat(period["start"]), datetime.fromisoformat(period["end"])
    assert start.timestamp() <= answered_at
    assert asked_at < end.timestamp()
    assert period["kind"] == kind
    first = start.date()
    expected_id = {
        "daily": first.isoformat(),
        "weekly": f"{first.isocalendar().year}-W{first.isocalendar().week:02d}",
        "monthly": f"{first.year}-{first.month:02d}",
    }[kind]
    assert period["id"] == expected_id


def test_settings_take_periods_and_a_time_zone(api: ApiClient, board: str) -> None:
    settings = configure(api, board, periods=["daily", "all"], timeZone="Europe/Berlin")
    assert (settings["periods"], settings["timeZone"]) == (["daily", "all"], "Europe/Berlin")
    assert api.page(board).json()["settings"] == settings


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"periods": []}, ['"periods"', "non-empty"]),
        ({"periods": ["hourly"]}, ['"periods"', "'hourly'"]),
        ({"periods": ["daily", "daily"]}, ['"periods"', "twice"]),
        ({"periods": "daily"}, ['"periods"', "list"]),
        ({"timeZone": "Mars/Olympus_Mons"}, ['"timeZone"', "IANA"]),
        ({"timeZone": 1}, ['"timeZone"', "IANA"]),
    ],
)
def test_unknown_period_kinds_and_time_zones_are_refused(
    api: ApiClient, board: str, body: dict[str, object], words: list[str]
) -> None:
    assert_error(api.settings(board, body), 400, *words)
    assert api.page(board).json()["settings"]["periods"] == ["all"]


def test_one_submission_counts_in_every_period_and_each_read_says_which_it_answered(api: ApiClient, board: str) -> None:
    configure(api, board, periods=ALL_KINDS, timeZone="Asia/Tokyo")
    submit(api, board, "ada", 10)
    submit(api, board, "bob", 20)
    for kind in ("daily", "weekly", "monthly"):
        asked_at = time.time()
        page = api.page(board, {"period": kind})
        assert_current(period_of(page), kind, asked_at, time.time())
        assert [(e["name"], e["rank"]) for e in page.json()["leaderboard"]] == [("bob", 0), ("ada", 1)]
        assert page.json()["total"] == 2
        standing = api.standing(board, "ada", {"period": kind})
        assert standing.json()["score"] == 10
        assert standing.json()["rank"] == 1
        assert period_of(standing) == period_of(page)
        around = api.around(board, "ada", {"period": kind, "count": "1"})
        assert [e["name"] for e in around.json()["leaderboard"]] == ["bob", "ada"]
        assert period_of(around) == period_of(page)
        friends = api.page(board, [("name", "ada"), ("period", kind)])
        assert [e["name"] for e in friends.json()["leaderboard"]] == ["ada"]
        assert period_of(friends) == period_of(page)
    everything = api.page(board, {"period": "all"})
    assert "period" not in everything.json()
    assert [e["name"] for e in everything.json()["leaderboard"]] == ["bob", "ada"]


def test_a_read_without_a_period_reads_the_first_listed_kind(api: ApiClient, board: str) -> None:
    configure(api, board, periods=["weekly", "all"])
    submit(api, board, "ada", 1)
    assert period_of(api.page(board))["kind"] == "weekly"
    assert period_of(api.standing(board, "ada"))["kind"] == "weekly"
    configure(api, board, periods=["all", "weekly"])
    assert "period" not in api.page(board).json()
    assert "period" not in api.standing(board, "ada").json()


def test_best_keeps_each_periods_best(api: ApiClient, board: str) -> None:
    configure(api, board, periods=["daily", "all"], update="best")
    assert [submit(api, board, "ada", s).json()["scoreOnBoard"] for s in (5, 9, 7)] == [5, 9, 9]
    assert api.standing(board, "ada", {"period": "daily"}).json()["score"] == 9
    assert api.standing(board, "ada", {"period": "all"}).json()["score"] == 9


def test_the_previous_period_is_the_one_just_before_and_empty_when_nothing_was_scored(
    api: ApiClient, board: str
) -> None:
    configure(api, board, periods=["daily", "all"], timeZone="UTC")
    submit(api, board, "ada", 1)
    today = period_of(api.page(board))
    previous = api.page(board, {"period": "daily:previous"})
    assert period_of(previous)["end"] == today["start"]
    assert period_of(previous)["id"] == (date.fromisoformat(today["id"]) - timedelta(days=1)).isoformat()
    assert previous.json()["leaderboard"] == []
    assert_error(api.standing(board, "ada", {"period": "daily:previous"}), 404, "ada")
    named = api.page(board, {"period": f"daily:{today['id']}"})
    assert period_of(named) == today
    assert [e["name"] for e in named.json()["leaderboard"]] == ["ada"]


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("hourly", ["period must be one of"]),
        ("daily:", ["period must be one of"]),
        ("all:previous", ["period must be one of"]),
        ("daily:2026-02-30", ["daily:2026-02-30", "names no daily period"]),
        ("weekly:2025-W53", ["names no weekly period"]),
        ("monthly:2026-13", ["names no monthly period"]),
        ("daily:9998-01-01", ["has not begun"]),
        ("weekly:1970-W02", ["names no weekly period", "1971"]),
    ],
)
def test_a_malformed_or_future_period_is_refused(api: ApiClient, board: str, period: str, words: list[str]) -> None:
    configure(api, board, periods=["daily", "all"])
    submit(api, board, "ada", 1)
    assert_error(api.page(board, {"period": period}), 400, *words)
    assert_error(api.standing(board, "ada", {"period": period}), 400, *words)
    assert_error(api.around(board, "ada", {"period": period}), 400, *words)


def test_period_is_given_once(api: ApiClient, board: str) -> None:
    assert_error(api.page(board, [("period", "daily"), ("period", "all")]), 400, "period", "once")


def test_removing_a_player_takes_them_out_of_every_period(api: ApiClient, board: str) -> None:
    configure(api, board, periods=ALL_KINDS)
    submit(api, board, "ada", 1)
    submit(api, board, "bob", 2)
    assert api.remove_player(board, "ada").status == 204
    for kind in ALL_KINDS:
        assert_error(api.standing(board, "ada", {"period": kind}), 404, "ada")
        assert [e["name"] for e in api.page(board, {"period": kind}).json()["leaderboard"]] == ["bob"]


def test_removing_a_board_removes_every_period(api: ApiClient, board: str) -> None:
    configure(api, board, periods=["daily", "all"])
    submit(api, board, "ada", 1)
    assert api.remove_board(board).status == 204
    assert api.page(board).json()["settings"]["periods"] == ["all"]
    today = api.page(board, {"period": "daily"})
    assert today.json()["leaderboard"] == []
    assert_error(api.standing(board, "ada", {"period": "daily"}), 404, "ada")
