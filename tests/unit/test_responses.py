"""The JSON answers every route gives, and the CORS header each carries."""

from __future__ import annotations

import json
import math

import pytest

from shared.http.responses import accepted, json_response, no_content, ok, with_cors


def test_ok_and_accepted_are_compact_json_that_keeps_unicode() -> None:
    answer = ok({"name": "Zoë", "scores": [1, 2.5]})
    assert answer == {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": '{"name":"Zoë","scores":[1,2.5]}',
        "isBase64Encoded": False,
    }
    assert accepted({"scoreOnBoard": 3})["statusCode"] == 202


def test_no_content_has_no_body_and_no_content_type() -> None:
    assert no_content() == {"statusCode": 204, "headers": {}, "body": "", "isBase64Encoded": False}


def test_extra_headers_join_the_json_ones() -> None:
    answer = json_response(503, {"message": "later"}, {"Retry-After": "1"})
    assert answer["headers"] == {"Content-Type": "application/json", "Retry-After": "1"}
    assert json.loads(answer["body"]) == {"message": "later"}


def test_a_number_json_cannot_hold_is_refused_not_sent() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        ok({"score": math.inf})


def test_cors_for_any_origin_needs_no_vary_and_for_one_origin_varies_by_origin() -> None:
    assert with_cors(no_content(), "*")["headers"] == {"Access-Control-Allow-Origin": "*"}
    one = with_cors(ok({}), "https://scores.example")
    assert one["headers"] == {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "https://scores.example",
        "Vary": "Origin",
    }
    assert with_cors({"statusCode": 500}, "*")["headers"] == {"Access-Control-Allow-Origin": "*"}  # no headers yet
