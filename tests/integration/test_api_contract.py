"""The API v1 contract, row by row: handlers invoked in-process with API Gateway events, on momento-local + moto."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from momento import CacheClient, Configurations, CredentialProvider
from momento.responses import CacheSortedSetFetch

from tests.conftest import CACHE, Service, body_of, submit_event

JOSE = "José María 🏎"


def assert_error(response: dict[str, Any], status: int, *words: str) -> dict[str, Any]:
    """An error is JSON {"message", "requestId"} with the status, and never shows internals."""
    assert response["statusCode"] == status, response
    assert response["headers"]["Content-Type"] == "application/json"
    body = body_of(response)
    assert set(body) == {"message", "requestId"}
    assert body["requestId"]
    for word in words:
        assert word in body["message"], body["message"]
    assert "Traceback" not in response["body"]
    return dict(body)


# Submit


def test_submit_is_accepted_and_echoes_the_submission(service: Service) -> None:
    response = service.submit("weekly", "v", {"score": 2077})
    assert response["statusCode"] == 202
    assert response["headers"]["Content-Type"] == "application/json"
    assert body_of(response) == {"leaderboard": "weekly", "name": "v", "score": 2077}


def test_integral_scores_read_back_as_integers_and_fractions_as_fractions(service: Service) -> None:
    assert '"score":42}' in service.submit("weekly", "a", {"score": 42.0})["body"]
    assert body_of(service.submit("weekly", "b", {"score": 42.5}))["score"] == 42.5
    assert '"score":42,' in service.standing("weekly", "a")["body"]


def test_a_resubmission_replaces_the_score(service: Service) -> None:
    service.submit("weekly", "v", {"score": 100})
    service.submit("weekly", "v", {"score": 7})
    assert body_of(service.standing("weekly", "v")) == {"score": 7, "rank": 0}


def test_storage_layout_is_the_original_services(service: Service) -> None:
    # Given a submission through the API
    service.submit("weekly", JOSE, {"score": 12.5})
    # Then the board is a sorted set keyed by board name, valued by UTF-8 player name, scored by a double
    credentials = CredentialProvider(
        service.api_key, service.momento.host, service.momento.host, service.momento.host, service.momento.port
    )
    with CacheClient.create(Configurations.Laptop.latest(), credentials, timedelta(minutes=1)) as client:
        fetched = client.sorted_set_fetch_by_rank(CACHE, "weekly")
    assert isinstance(fetched, CacheSortedSetFetch.Hit)
    assert fetched.value_list_bytes == [(JOSE.encode("utf-8"), 12.5)]


def test_each_write_refreshes_the_boards_ttl_to_a_day(service: Service) -> None:
    service.submit("weekly", "v", {"score": 1})
    with service.momento.store.session(CACHE) as cache:
        item = cache._items[b"weekly"]
        remaining = item.expires_at - time.monotonic()
    assert 86_390 < remaining <= 86_400


@pytest.mark.parametrize("score", [2**53, -(2**53), 0, -0.5, 1e-300])
def test_scores_within_the_exact_range_are_accepted(service: Service, score: float) -> None:
    response = service.submit("weekly", "v", {"score": score})
    assert response["statusCode"] == 202
    assert body_of(service.standing("weekly", "v"))["score"] == score


@pytest.mark.parametrize(
    ("raw_body", "words"),
    [
        ('{"score": "42"}', ["JSON number", "string"]),
        ('{"score": true}', ["JSON number", "boolean"]),
        ('{"score": null}', ["JSON number", "null"]),
        ('{"score": [1]}', ["JSON number", "array"]),
        ('{"score": NaN}', ["not valid JSON", "NaN"]),
        ('{"score": Infinity}', ["not valid JSON", "Infinity"]),
        ('{"score": -Infinity}', ["not valid JSON"]),
        ('{"score": 1e400}', ["finite"]),
        ('{"score": 9007199254740993}', ["2^53"]),
        ('{"score": -9007199254740994.0}', ["2^53"]),
        ("{}", ['"score" field']),
        ('{"points": 4}', ['"score" field']),
        ("[42]", ["JSON object"]),
        ("42", ["JSON object"]),
        ('"hello"', ["JSON object"]),
        ("null", ["JSON object"]),
        ('{"score": 4', ["not valid JSON", "line 1"]),
        ("not json", ["not valid JSON"]),
        ("", ["empty"]),
        ("   ", ["empty"]),
    ],
)
def test_bad_bodies_are_400_saying_what_is_wrong(service: Service, raw_body: str, words: list[str]) -> None:
    response = service.submit("weekly", "v", raw_body, raw_body=True)
    assert_error(response, 400, *words)
    assert service.standing("weekly", "v")["statusCode"] == 404  # nothing was written


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "json"])
def test_non_json_content_types_are_415(service: Service, content_type: str | None) -> None:
    response = service.submit("weekly", "v", {"score": 1}, content_type=content_type)
    assert_error(response, 415, "application/json")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.game+json"],
)
def test_json_content_types_are_accepted(service: Service, content_type: str) -> None:
    assert service.submit("weekly", "v", {"score": 1}, content_type=content_type)["statusCode"] == 202


def test_content_type_header_name_is_case_insensitive(service: Service) -> None:
    event = submit_event("weekly", "v", {"score": 1}, content_type=None)
    event["headers"]["content-type"] = "application/json"
    assert service.invoke("handlers.submit_score", event)["statusCode"] == 202


def test_a_body_over_4kb_is_413(service: Service) -> None:
    padded = json.dumps({"score": 1, "padding": "x" * 4100})
    assert_error(service.submit("weekly", "v", padded, raw_body=True), 413, "4096")
    exactly_4kb = json.dumps({"score": 1, "padding": "x" * (4096 - 27)})
    assert len(exactly_4kb) == 4096
    assert service.submit("weekly", "v", exactly_4kb, raw_body=True)["statusCode"] == 202


def test_base64_bodies_are_decoded(service: Service) -> None:
    assert body_of(service.submit("weekly", "v", {"score": 42.5}, base64_body=True))["score"] == 42.5
    event = submit_event("weekly", "v", {"score": 1})
    event["isBase64Encoded"] = True
    event["body"] = "%%% not base64"
    assert_error(service.invoke("handlers.submit_score", event), 400, "base64")


# Names


@pytest.mark.parametrize(
    ("board", "words"),
    [
        ("bad board", ["leaderboard name", "1-64"]),
        ("x" * 65, ["leaderboard name"]),
        ("ümlaut", ["leaderboard name"]),
        ("semi;colon", ["leaderboard name"]),
        ("", ["leaderboard name"]),
    ],
)
def test_invalid_leaderboard_names_are_400_on_every_route(service: Service, board: str, words: list[str]) -> None:
    assert_error(service.submit(board, "v", {"score": 1}), 400, *words)
    assert_error(service.standing(board, "v"), 400, *words)
    assert_error(service.page(board), 400, *words)


@pytest.mark.parametrize("board", ["a", "x" * 64, "Season-2026.week_48", "..."])
def test_valid_leaderboard_names(service: Service, board: str) -> None:
    assert service.submit(board, "v", {"score": 1})["statusCode"] == 202


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("x" * 129, ["1-128"]),
        ("", ["1-128"]),
        ("tab\there", ["control characters"]),
        ("new\nline", ["control characters"]),
        ("nul\x00", ["control characters"]),
        ("bell%07", ["control characters"]),
        ("%FF%FE", ["UTF-8"]),
    ],
)
def test_invalid_player_names_are_400(service: Service, name: str, words: list[str]) -> None:
    assert_error(service.submit("weekly", name, {"score": 1}), 400, *words)
    assert_error(service.standing("weekly", name), 400, *words)


@pytest.mark.parametrize("name", [JOSE, "x" * 128, "🏎" * 128, "space at end ", "100%", "a/b?c#d", "👩‍👩‍👧"])
def test_player_names_round_trip_exactly(service: Service, name: str) -> None:
    assert body_of(service.submit("weekly", name, {"score": 5}))["name"] == name
    assert body_of(service.standing("weekly", name)) == {"score": 5, "rank": 0}
    assert body_of(service.page("weekly"))["leaderboard"] == [{"rank": 0, "name": name, "score": 5}]


def test_percent_encoded_path_parameters_are_decoded(service: Service) -> None:
    event = submit_event("weekly", "Jos%C3%A9%20Mar%C3%ADa", {"score": 3})
    assert body_of(service.invoke("handlers.submit_score", event))["name"] == "José María"


# Standing


def test_standing_ranks_highest_first_from_zero(service: Service) -> None:
    for name, score in {"low": 1, "mid": 42, "high": 9000}.items():
        service.submit("weekly", name, {"score": score})
    assert body_of(service.standing("weekly", "high")) == {"score": 9000, "rank": 0}
    assert body_of(service.standing("weekly", "mid")) == {"score": 42, "rank": 1}
    assert body_of(service.standing("weekly", "low")) == {"score": 1, "rank": 2}


def test_standing_of_an_absent_player_or_board_is_404(service: Service) -> None:
    service.submit("weekly", "v", {"score": 1})
    assert_error(service.standing("weekly", "nobody"), 404, "nobody", "weekly")
    assert_error(service.standing("no-such-board", "v"), 404, "no-such-board")


# Pages


def test_page_defaults_to_the_top_20_highest_first(service: Service) -> None:
    for i in range(30):
        service.submit("weekly", f"p{i:02d}", {"score": i})
    entries = body_of(service.page("weekly"))["leaderboard"]
    assert len(entries) == 20
    assert entries[0] == {"rank": 0, "name": "p29", "score": 29}
    assert entries[-1] == {"rank": 19, "name": "p10", "score": 10}


def test_page_window_and_its_edges(service: Service) -> None:
    for i in range(30):
        service.submit("weekly", f"p{i:02d}", {"score": i})
    window = body_of(service.page("weekly", {"startRank": "5", "endRank": "8"}))["leaderboard"]
    assert window == [
        {"rank": 5, "name": "p24", "score": 24},
        {"rank": 6, "name": "p23", "score": 23},
        {"rank": 7, "name": "p22", "score": 22},
    ]
    start_only = body_of(service.page("weekly", {"startRank": "25"}))["leaderboard"]
    assert [e["rank"] for e in start_only] == [25, 26, 27, 28, 29]
    assert body_of(service.page("weekly", {"startRank": "100"})) == {"leaderboard": []}
    full = body_of(service.page("weekly", {"startRank": "0", "endRank": "100"}))["leaderboard"]
    assert len(full) == 30


def test_page_of_a_board_that_does_not_exist_is_an_empty_list(service: Service) -> None:
    response = service.page("no-such-board")
    assert response["statusCode"] == 200
    assert body_of(response) == {"leaderboard": []}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"startRank": "-1"}, ["startRank", "non-negative integer"]),
        ({"startRank": "abc"}, ["startRank"]),
        ({"startRank": "1.5"}, ["startRank"]),
        ({"startRank": ""}, ["startRank"]),
        ({"startRank": "²"}, ["startRank"]),
        ({"endRank": "0"}, ["endRank", "greater than startRank"]),
        ({"startRank": "10", "endRank": "10"}, ["greater than"]),
        ({"startRank": "10", "endRank": "5"}, ["greater than"]),
        ({"startRank": "0", "endRank": "101"}, ["at most 100"]),
        ({"startRank": "99999999999999999999"}, ["at most"]),
    ],
)
def test_bad_rank_parameters_are_400(service: Service, query: dict[str, str], words: list[str]) -> None:
    assert_error(service.page("weekly", query), 400, *words)


def test_a_page_of_exactly_100_is_allowed(service: Service) -> None:
    assert service.page("weekly", {"startRank": "50", "endRank": "150"})["statusCode"] == 200
