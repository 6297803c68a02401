"""What each route refuses in the request before any I/O (400, the message naming the rule), and what it takes:
the path, the query and the parsed body read into the domain's requests."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from shared.domain.errors import InvalidInput
from shared.domain.periods import PeriodChoice, named
from shared.domain.rules import MAX_AROUND, MAX_FRIENDS, AroundRequest, BoardRef, Entry, FriendsRequest, PlayerRef
from shared.http import parsing
from shared.http.bodies import entries_json, json_number, period_json
from shared.http.errors import BodyTooLarge, UnsupportedBody
from shared.http.middlewares.json_body_parser import json_body_parser
from shared.http.middy import Request


def event(
    *, path: dict[str, str] | None = None, query: dict[str, list[str]] | None = None, body: object = None
) -> dict[str, Any]:
    """An API Gateway REST event: path parameters, the query (each name's values; the last is the single one)."""
    multi = query or {}
    return {
        "pathParameters": {"leaderboard": "weekly", **(path or {})},
        "queryStringParameters": {name: values[-1] for name, values in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "body": body,
    }


# --- the path and the query -------------------------------------------------------------------------------------------


def test_a_board_route_takes_the_board_from_the_path() -> None:
    assert parsing.parse_board_ref(event()) == BoardRef("weekly")
    with pytest.raises(InvalidInput, match="leaderboard name"):
        parsing.parse_board_ref(event(path={"leaderboard": "a/b"}))


def test_a_standing_is_of_the_player_in_the_period_asked_for() -> None:
    ref = parsing.parse_standing_request(event(path={"name": "ada"}, query={"period": ["daily:previous"]}))
    assert ref == PlayerRef("weekly", "ada", PeriodChoice("daily", "previous"))
    with pytest.raises(InvalidInput, match="period is given 2 times"):
        parsing.parse_standing_request(event(path={"name": "ada"}, query={"period": ["daily", "weekly"]}))


def test_friends_are_the_named_players_once_each_in_the_order_first_given() -> None:
    query = {"name": ["bob", "ada", "bob"], "period": ["all"]}
    assert parsing.parse_board_query(event(query=query)) == FriendsRequest(
        "weekly", ("bob", "ada"), PeriodChoice("all", "current")
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"name": ["ada"], "startRank": ["0"]}, "name cannot be combined with startRank or endRank"),
        ({"name": [f"p{i}" for i in range(MAX_FRIENDS + 1)]}, f"Give 1-{MAX_FRIENDS} name parameters \\(got 51\\)"),
    ],
)
def test_friends_asked_for_wrongly_are_refused(query: dict[str, list[str]], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parsing.parse_board_query(event(query=query))


@pytest.mark.parametrize(("count", "each_side"), [(None, 5), ("1", 1), (str(MAX_AROUND), MAX_AROUND)])
def test_around_takes_a_count_of_players_each_side(count: str | None, each_side: int) -> None:
    query = {"count": [count]} if count is not None else None
    assert parsing.parse_around_request(event(path={"name": "ada"}, query=query)) == AroundRequest(
        "weekly", "ada", each_side
    )


@pytest.mark.parametrize("count", ["0", str(MAX_AROUND + 1), "-1", "1.5", "٣", "0000000000001"])
def test_around_refuses_a_count_out_of_range_or_not_plain_digits(count: str) -> None:
    with pytest.raises(InvalidInput, match=f"count must be an integer from 1 to {MAX_AROUND}"):
        parsing.parse_around_request(event(path={"name": "ada"}, query={"count": [count]}))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"startRank": ["10"], "endRank": ["10"]}, "endRank \\(10\\) must be greater than startRank \\(10\\)"),
        ({"startRank": ["-1"]}, "startRank must be a non-negative integer"),
        ({"endRank": ["2e3"]}, "endRank must be a non-negative integer"),
        ({"startRank": ["0"], "endRank": ["101"]}, "A page holds at most 100 entries"),
    ],
)
def test_a_page_asked_for_wrongly_is_refused(query: dict[str, list[str]], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parsing.parse_page_request(event(query=query))


# --- the body -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [([42], "must be a JSON object"), ({"points": 42}, 'must have a "score" field'), (None, "must be a JSON object")],
)
def test_a_submission_without_a_score_object_is_refused(body: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parsing.parse_submission(event(path={"name": "ada"}, body=body))


def parsed(body: str, *, b64: bool = False, content_type: str = "application/json", limit: int = 4096) -> object:
    evt = {"headers": {"content-type": content_type}, "body": body, "isBase64Encoded": b64}
    hooks = json_body_parser(limit)
    assert hooks.before is not None
    hooks.before(Request(event=evt, context=None))
    return evt["body"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("NaN", "NaN is not valid JSON"),
        ('{"score": Infinity}', "Infinity is not valid JSON"),
        ('{"score": 1', "Expecting ',' delimiter at line 1 column 12"),
        ("   ", "Request body is empty"),
    ],
)
def test_a_body_that_is_not_plain_json_is_refused_saying_why(body: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parsed(body)


def test_a_body_nested_deeper_than_the_parser_goes_is_refused() -> None:
    # Past what 4 KB can nest: with the default limit the size refuses it first.
    with pytest.raises(InvalidInput, match="nested too deeply"):
        parsed("[" * 50_000, limit=100_000)
    with pytest.raises(BodyTooLarge):
        parsed("[" * 50_000)


def test_a_body_marked_base64_is_decoded_and_refused_when_it_is_not_base64() -> None:
    assert parsed(base64.b64encode(b'{"score": 7}').decode(), b64=True) == {"score": 7}
    with pytest.raises(InvalidInput, match="marked base64 but is not valid base64"):
        parsed("not base64!", b64=True)


def test_a_body_of_another_media_type_or_too_large_is_refused_before_it_is_read() -> None:
    with pytest.raises(UnsupportedBody, match="got text/plain"):
        parsed("{}", content_type="text/plain")
    with pytest.raises(BodyTooLarge, match="10-byte limit"):
        parsed(json.dumps({"score": 123456789}), limit=10)


# --- the answers' JSON ------------------------------------------------------------------------------------------------


def test_entries_read_back_with_integral_scores_as_json_integers() -> None:
    entries = [Entry(0, "ada", 42.0), Entry(1, "bob", 2.5), Entry(1, "cyd", -(2.0**53))]
    assert entries_json(entries) == [
        {"rank": 0, "name": "ada", "score": 42},
        {"rank": 1, "name": "bob", "score": 2.5},
        {"rank": 1, "name": "cyd", "score": -(2**53)},
    ]
    assert isinstance(json_number(42.0), int)


def test_a_periodic_answer_says_its_period_and_an_all_time_one_says_nothing() -> None:
    day = named("daily", "2026-11-27", "Asia/Tokyo")
    assert period_json(None) == {}
    assert period_json(day) == {
        "period": {
            "kind": "daily",
            "id": "2026-11-27",
            "start": "2026-11-27T00:00:00+09:00",
            "end": "2026-11-28T00:00:00+09:00",
        }
    }
