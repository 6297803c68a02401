"""The API v1 contract, row by row, over every transport (see conftest): what a client of the API observes."""

from __future__ import annotations

import json

import pytest

from tests.support.api_client import JOSE, ApiClient, assert_error
from tests.support.lambda_fakes import Query

# Submit


def test_submit_is_accepted_and_echoes_the_submission(api: ApiClient, board: str) -> None:
    response = api.submit(board, "v", {"score": 2077})
    assert response.status == 202
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"leaderboard": board, "name": "v", "score": 2077, "scoreOnBoard": 2077}


def test_integral_scores_read_back_as_integers_and_fractions_as_fractions(api: ApiClient, board: str) -> None:
    assert '"score":42,"scoreOnBoard":42}' in api.submit(board, "a", {"score": 42.0}).text
    assert api.submit(board, "b", {"score": 42.5}).json()["score"] == 42.5
    assert '"score":42,' in api.standing(board, "a").text


def test_a_resubmission_replaces_the_score(api: ApiClient, board: str) -> None:
    api.submit(board, "v", {"score": 100})
    api.submit(board, "v", {"score": 7})
    assert api.standing(board, "v").json() == {"score": 7, "rank": 0}


@pytest.mark.parametrize("score", [2**53, -(2**53), 0, -0.5, 1e-300, -5e-324])
def test_scores_within_the_exact_range_are_accepted(api: ApiClient, board: str, score: float) -> None:
    assert api.submit(board, "v", {"score": score}).status == 202
    assert api.standing(board, "v").json()["score"] == score


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
        ('{"score": 1e400}', ["2^53"]),  # read exactly as written: finite, and far too large
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
def test_bad_bodies_are_400_saying_what_is_wrong(api: ApiClient, board: str, raw_body: str, words: list[str]) -> None:
    assert_error(api.submit(board, "v", raw_body, raw=True), 400, *words)
    assert api.standing(board, "v").status == 404  # nothing was written


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "json"])
def test_non_json_content_types_are_415(api: ApiClient, board: str, content_type: str | None) -> None:
    assert_error(api.submit(board, "v", {"score": 1}, content_type=content_type), 415, "application/json")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.game+json"],
)
def test_json_content_types_are_accepted(api: ApiClient, board: str, content_type: str) -> None:
    assert api.submit(board, "v", {"score": 1}, content_type=content_type).status == 202


def test_a_body_over_4kb_is_413(api: ApiClient, board: str) -> None:
    padded = json.dumps({"score": 1, "padding": "x" * 4100})
    assert_error(api.submit(board, "v", padded, raw=True), 413, "4096")
    exactly_4kb = json.dumps({"score": 1, "padding": "x" * (4096 - 27)})
    assert len(exactly_4kb) == 4096
    assert api.submit(board, "v", exactly_4kb, raw=True).status == 202


# Names


@pytest.mark.parametrize(
    ("bad_board", "words"),
    [
        ("bad board", ["leaderboard name", "1-64"]),
        ("x" * 65, ["leaderboard name"]),
        ("ümlaut", ["leaderboard name"]),
        ("semi;colon", ["leaderboard name"]),
        (".", ["not '.' or '..'"]),  # sent percent-encoded: clients resolve a bare dot segment away
        ("..", ["not '.' or '..'"]),
    ],
)
def test_invalid_leaderboard_names_are_400_on_every_route(api: ApiClient, bad_board: str, words: list[str]) -> None:
    assert_error(api.submit(bad_board, "v", {"score": 1}), 400, *words)
    assert_error(api.standing(bad_board, "v"), 400, *words)
    assert_error(api.page(bad_board), 400, *words)


@pytest.mark.parametrize("suffix", ["", "-Season.week_48", "to the 64-character limit"])
def test_valid_leaderboard_names(api: ApiClient, board: str, suffix: str) -> None:
    name = board + ("." + "x" * (63 - len(board)) if suffix.startswith("to the") else suffix)
    assert len(name) <= 64
    assert api.submit(name, "v", {"score": 1}).status == 202


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("x" * 129, ["1-128"]),
        ("tab\there", ["control characters"]),
        ("new\nline", ["control characters"]),
        ("nul\x00", ["control characters"]),
        (" ", ["visible character"]),
        ("\u200b\ufeff", ["visible character"]),
        ("\u3000", ["visible character"]),
        ("space at end ", ["start or end with a space"]),
        (" space at start", ["start or end with a space"]),
    ],
)
def test_invalid_player_names_are_400(api: ApiClient, board: str, name: str, words: list[str]) -> None:
    assert_error(api.submit(board, name, {"score": 1}), 400, *words)
    assert_error(api.standing(board, name), 400, *words)


@pytest.mark.parametrize("name", [JOSE, "x" * 128, "🏎" * 128, "spaces  inside", "100%", "what?#", "👩‍👩‍👧"])
def test_player_names_round_trip_exactly(api: ApiClient, board: str, name: str) -> None:
    assert api.submit(board, name, {"score": 5}).json()["name"] == name
    assert api.standing(board, name).json() == {"score": 5, "rank": 0}
    assert api.page(board).json()["leaderboard"] == [{"rank": 0, "name": name, "score": 5}]


# Standing


def test_standing_ranks_highest_first_from_zero(api: ApiClient, board: str) -> None:
    for name, score in {"low": 1, "mid": 42, "high": 9000}.items():
        api.submit(board, name, {"score": score})
    assert api.standing(board, "high").json() == {"score": 9000, "rank": 0}
    assert api.standing(board, "mid").json() == {"score": 42, "rank": 1}
    assert api.standing(board, "low").json() == {"score": 1, "rank": 2}


def test_standing_of_an_absent_player_or_board_is_404(api: ApiClient, board: str) -> None:
    api.submit(board, "v", {"score": 1})
    assert_error(api.standing(board, "nobody"), 404, "nobody", board)
    assert_error(api.standing(board + "-none", "v"), 404, board + "-none")


# Pages


def submit_thirty(api: ApiClient, board: str) -> None:
    for i in range(30):
        assert api.submit(board, f"p{i:02d}", {"score": i}).status == 202


def test_page_defaults_to_the_top_20_highest_first(api: ApiClient, board: str) -> None:
    submit_thirty(api, board)
    entries = api.page(board).json()["leaderboard"]
    assert len(entries) == 20
    assert entries[0] == {"rank": 0, "name": "p29", "score": 29}
    assert entries[-1] == {"rank": 19, "name": "p10", "score": 10}


def test_page_window_and_its_edges(api: ApiClient, board: str) -> None:
    submit_thirty(api, board)
    assert api.page(board, {"startRank": "5", "endRank": "8"}).json()["leaderboard"] == [
        {"rank": 5, "name": "p24", "score": 24},
        {"rank": 6, "name": "p23", "score": 23},
        {"rank": 7, "name": "p22", "score": 22},
    ]
    assert [e["rank"] for e in api.page(board, {"startRank": "25"}).json()["leaderboard"]] == [25, 26, 27, 28, 29]
    assert api.page(board, {"startRank": "100"}).json()["leaderboard"] == []
    assert len(api.page(board, {"startRank": "0", "endRank": "100"}).json()["leaderboard"]) == 30


def test_page_of_a_board_that_does_not_exist_is_an_empty_list(api: ApiClient, board: str) -> None:
    response = api.page(board)
    assert response.status == 200
    assert response.json() == {
        "leaderboard": [],
        "total": 0,
        "settings": {"order": "desc", "update": "latest", "ties": "distinct", "periods": ["all"], "timeZone": "UTC"},
    }


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
        # An omitted endRank (startRank + 20) is held to the same bound as an explicit one
        ({"startRank": "999999990"}, ["endRank", "at most 1000000000"]),
        ({"startRank": "999999990", "endRank": "1000000010"}, ["endRank", "at most 1000000000"]),
        ([("startRank", "5"), ("startRank", "1")], ["startRank is given 2 times"]),
        ([("endRank", "5"), ("endRank", "9")], ["endRank is given 2 times"]),
    ],
)
def test_bad_rank_parameters_are_400(api: ApiClient, board: str, query: Query, words: list[str]) -> None:
    assert_error(api.page(board, query), 400, *words)


def test_the_last_page_before_the_rank_limit_is_allowed(api: ApiClient, board: str) -> None:
    assert api.page(board, {"startRank": "999999980"}).json()["leaderboard"] == []


def test_a_page_of_exactly_100_is_allowed(api: ApiClient, board: str) -> None:
    assert api.page(board, {"startRank": "50", "endRank": "150"}).status == 200


# Browsers


def test_every_answer_carries_the_cors_header_errors_included(api: ApiClient, board: str) -> None:
    responses = [
        api.submit(board, "v", {"score": 1}),
        api.standing(board, "v"),
        api.page(board),
        api.standing(board, "nobody"),
        api.submit(board, "v", "{", raw=True),
        api.page("bad board"),
    ]
    assert [r.headers.get("Access-Control-Allow-Origin") for r in responses] == ["*"] * len(responses)
