"""The leaderboard's input rules and score formatting, without I/O."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.domain.errors import InvalidInput
from shared.domain.rules import PageRequest, Submission, exact_score, leaderboard_name, player_name
from shared.http.bodies import json_number
from shared.http.parsing import parse_page_request, parse_submission


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
    assert parse_submission(event) == Submission("weekly", "v", 3.0, Decimal(3))
    assert isinstance(parse_submission(event).score, float)  # the SDK accepts only floats
    event["body"] = {"score": Decimal("1000000.000000000001")}  # as the body parser reads a fraction: exactly
    assert parse_submission(event) == Submission("weekly", "v", 1000000.0, Decimal("1000000.000000000001"))


@pytest.mark.parametrize("raw", [True, False, None, "1", [1], {"v": 1}, float("nan"), float("inf"), 2**53 + 1])
def test_scores_that_are_not_finite_exact_json_numbers_are_rejected(raw: object) -> None:
    with pytest.raises(InvalidInput):
        exact_score(raw)


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


@pytest.mark.parametrize("board", [".", ".."])
def test_dot_segments_are_not_board_names(board: str) -> None:
    # Given a board clients could never reach (URLs resolve "." and ".." away), When it is named, Then it is refused
    with pytest.raises(InvalidInput, match=r"not '\.' or '\.\.'"):
        leaderboard_name(board)


def test_names_merely_made_of_dots_and_more_are_boards() -> None:
    assert [leaderboard_name(name) for name in ("...", ".a", "a.", "v1.2")] == ["...", ".a", "a.", "v1.2"]


@pytest.mark.parametrize(
    "name",
    [" ", "   ", "\u00a0", "\u3000", "\u200b", "\u200b\ufeff", "\u2028", "\u200d\u2060"],
    ids=["space", "spaces", "no-break space", "ideographic space", "zero-width space", "zero-width and BOM",
         "line separator", "joiners"],
)  # fmt: skip
def test_a_name_with_nothing_visible_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="visible"):
        player_name(name)


@pytest.mark.parametrize("name", [" ada", "ada ", "ada\u00a0", "\u3000ada"])
def test_a_name_with_a_space_at_either_end_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="start or end with a space"):
        player_name(name)


def test_spaces_inside_a_name_and_the_invisible_characters_of_emoji_are_kept() -> None:
    # A zero-width joiner between letters ("a\u200db") or a bidi override ("\u202eabc") is no longer kept: such a name
    # looks like another (tests/unit/test_player_names.py); the joiners and tags emoji are made of still are.
    for name in (
        "José María",
        "山田\u3000太郎",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    ):
        assert player_name(name) == name


def test_an_omitted_end_rank_is_held_to_the_same_bound_as_an_explicit_one() -> None:
    # Given a start whose default end (start + 20) passes the rank limit
    for query in ({"startRank": "1000000000"}, {"startRank": "999999990"}):
        # Then it is refused as the same range given explicitly is
        with pytest.raises(InvalidInput, match="at most 1000000000"):
            page(query)
    with pytest.raises(InvalidInput, match="at most 1000000000"):
        page({"startRank": "999999990", "endRank": "1000000010"})
    assert page({"startRank": "999999980"}) == PageRequest("weekly", 999_999_980, 1_000_000_000)


def test_a_repeated_rank_parameter_is_refused() -> None:
    event = {
        "pathParameters": {"leaderboard": "weekly"},
        "queryStringParameters": {"startRank": "1", "endRank": "3"},
        "multiValueQueryStringParameters": {"startRank": ["5", "1"], "endRank": ["3"]},
    }
    with pytest.raises(InvalidInput, match="startRank is given 2 times"):
        parse_page_request(event)
