"""Board settings, around-me, friends and increments as input rules, and the record's score encodings, without I/O."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.errors import InvalidInput
from shared.domain.rules import (
    AroundRequest,
    FriendsRequest,
    PageRequest,
    SettingsChange,
    Submission,
    exact_score,
    increment,
)
from shared.http.parsing import parse_around_request, parse_board_query, parse_settings_change
from shared.stores.dynamodb.codec import decimal_number, rank_key, score_value

SCORES = st.floats(min_value=-(2.0**53), max_value=2.0**53, allow_nan=False)


def query_event(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return {
        "pathParameters": {"leaderboard": "weekly"},
        "queryStringParameters": {name: values[-1] for name, values in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
    }


def test_a_settings_change_holds_only_the_fields_given() -> None:
    event = {"pathParameters": {"leaderboard": "laps"}, "body": {"order": "asc", "ties": "shared"}}
    assert parse_settings_change(event) == SettingsChange("laps", {"order": "asc", "ties": "shared"})
    assert parse_settings_change({**event, "body": {}}) == SettingsChange("laps", {})


@pytest.mark.parametrize("body", [{"order": "ASC"}, {"update": None}, {"ties": ["shared"]}, {"Order": "asc"}, "asc"])
def test_a_settings_change_outside_the_allowed_values_is_refused(body: Any) -> None:
    with pytest.raises(InvalidInput):
        parse_settings_change({"pathParameters": {"leaderboard": "laps"}, "body": body})


def test_names_ask_for_friends_once_each_in_the_order_given() -> None:
    query = parse_board_query(query_event([("name", "bob"), ("name", "ada"), ("name", "bob")]))
    assert query == FriendsRequest("weekly", ("bob", "ada"))
    assert parse_board_query(query_event([])) == PageRequest("weekly", 0, 20)


@pytest.mark.parametrize(("raw", "count"), [(None, 5), ("1", 1), ("50", 50), ("007", 7)])
def test_around_counts_from_one_to_fifty(raw: str | None, count: int) -> None:
    event = query_event([("count", raw)] if raw else [])
    event["pathParameters"]["name"] = "ada"
    assert parse_around_request(event) == AroundRequest("weekly", "ada", count)


def submitted(text: str) -> Submission:
    """A submission whose body's score is `text`, read as the API reads it."""
    return Submission("weekly", "ada", *exact_score(json.loads(text, parse_float=Decimal)))


@pytest.mark.parametrize(
    "text", ["5.0", "-2.5", "0.000000000001", "9007199254740992", "1234.56789", "1000000.000000000001", "1E+3"]
)
def test_an_increment_with_at_most_twelve_decimals_is_taken_exactly_as_written(text: str) -> None:
    assert increment(submitted(text)) == Decimal(text)


@pytest.mark.parametrize("text", ["1e-13", "0.1234567890123", "0.33333333333333331", "5e-324"])
def test_an_increment_with_more_decimals_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="12 digits"):
        increment(submitted(text))


@given(SCORES, SCORES)
def test_rank_keys_sort_as_their_scores(a: float, b: float) -> None:
    assert (rank_key(a) < rank_key(b)) == (a < b)
    assert (rank_key(a) == rank_key(b)) == (a == b)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_latest_score_keeps_the_exact_double_and_a_total_dynamodb_can_add(value: float) -> None:
    attributes = score_value(value)
    assert float(attributes[":score"]["S"]) == value
    total = attributes[":total"]["N"]
    assert "e" not in total.lower()  # the local stand-in cannot add exponent notation
    assert abs(Decimal(total)) <= 2**53
    if abs(value) <= 2**53:
        assert math.isclose(float(total), value, abs_tol=1e-12)


def test_dynamodb_numbers_are_written_without_exponents() -> None:
    assert decimal_number(Decimal("1E+16")) == {"N": "10000000000000000"}
    assert decimal_number(Decimal("-0.000")) == {"N": "0"}
    assert decimal_number(Decimal("13.600")) == {"N": "13.6"}
