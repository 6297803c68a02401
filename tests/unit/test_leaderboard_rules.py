"""The leaderboard's input rules and score formatting, without I/O."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import InvalidInput
from shared.leaderboard import (
    PageRequest,
    Submission,
    json_number,
    parse_page_request,
    parse_submission,
    player_name,
    score,
)


def page(query: dict[str, str] | None) -> PageRequest:
    return parse_page_request({"pathParameters": {"leaderboard": "weekly"}, "queryStringParameters": query})


def test_page_defaults_and_bounds() -> None:
    assert page(None) == PageRequest("weekly", 0, 20)
    assert page({"startRank": "40"}) == PageRequest("weekly", 40, 60)
    assert page({"endRank": "5"}) == PageRequest("weekly", 0, 5)
    assert page({"startRank": "007", "endRank": "107"}) == PageRequest("weekly", 7, 107)
    with pytest.raises(InvalidInput, match="at most 100"):
        page({"startRank": "0", "endRank": "101"})


def test_submission_is_parsed_from_path_and_body() -> None:
    event: dict[str, Any] = {"pathParameters": {"leaderboard": "weekly", "name": "v"}, "body": {"score": 3}}
    assert parse_submission(event) == Submission("weekly", "v", 3.0)
    assert isinstance(parse_submission(event).score, float)  # the SDK accepts only floats


@pytest.mark.parametrize("raw", [True, False, None, "1", [1], {"v": 1}, float("nan"), float("inf"), 2**53 + 1])
def test_scores_that_are_not_finite_exact_json_numbers_are_rejected(raw: object) -> None:
    with pytest.raises(InvalidInput):
        score(raw)


def test_player_names_are_taken_as_given_and_measured_in_characters() -> None:
    assert player_name("Jos%C3%A9") == "Jos%C3%A9"  # API Gateway already decoded the path: no second decoding
    assert player_name("🏎" * 128) == "🏎" * 128
    with pytest.raises(InvalidInput, match="1-128"):
        player_name("🏎" * 129)
    with pytest.raises(InvalidInput, match="control"):
        player_name("\ud800")  # a lone surrogate cannot be stored as UTF-8


@pytest.mark.parametrize(("value", "expected"), [(42.0, 42), (-0.0, 0), (42.5, 42.5), (2.0**53, 2**53)])
def test_integral_scores_become_json_integers(value: float, expected: float) -> None:
    result = json_number(value)
    assert result == expected
    assert type(result) is type(expected)
