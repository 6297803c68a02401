"""The JSON body parser, the validator and the HTTP error handler, each on its own."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from shared.domain import errors
from shared.http import errors as http_errors
from shared.http.middlewares.http_error_handler import http_error_handler
from shared.http.middlewares.json_body_parser import json_body_parser
from shared.http.middlewares.validator import validator
from shared.http.middy import Request, Slot
from shared.http.request import is_json_media_type


def event(body: str | None, content_type: str | None = "application/json", b64: bool = False) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return {"body": body, "headers": headers, "isBase64Encoded": b64, "requestContext": {"requestId": "req-1"}}


def parse(evt: dict[str, Any], max_body_bytes: int = 4096) -> Any:
    hooks = json_body_parser(max_body_bytes)
    assert hooks.before is not None
    hooks.before(Request(event=evt, context=None))
    return evt["body"]


def status_of(evt: dict[str, Any]) -> int:
    with pytest.raises(errors.ServiceError) as raised:
        parse(evt)
    status: int = handle(raised.value)["statusCode"]
    return status


def test_parser_replaces_the_body_with_the_parsed_value() -> None:
    assert parse(event('{"score": 1, "nested": {"a": [1, 2]}}')) == {"score": 1, "nested": {"a": [1, 2]}}
    assert parse(event(base64.b64encode(b'{"score": 2}').decode(), b64=True)) == {"score": 2}


def test_a_fraction_is_read_exactly_as_written_and_a_key_given_twice_is_refused() -> None:
    assert parse(event('{"score": 1000000.000000000001, "n": 3}')) == {"score": Decimal("1000000.000000000001"), "n": 3}
    for body in ('{"score": 1, "score": 2}', '{"a": {"b": 1, "b": 1}}', '{"order": "asc", "order": "desc"}'):
        with pytest.raises(errors.InvalidInput, match="more than once"):
            parse(event(body))
        assert status_of(event(body)) == 400


@pytest.mark.parametrize(
    ("content_type", "is_json"),
    [
        ("application/json", True),
        ("application/json;charset=UTF-8", True),
        ("application/problem+json", True),
        ("text/json", False),
        ("text/plain", False),
        ("", False),
        (None, False),
    ],
)
def test_json_media_types(content_type: str | None, is_json: bool) -> None:
    assert is_json_media_type(content_type) is is_json


def test_parser_statuses() -> None:
    assert status_of(event('{"a":1}', content_type="text/plain")) == 415
    assert status_of(event("x" * 5000)) == 413
    assert status_of(event("{")) == 400
    assert status_of(event(None)) == 400
    assert status_of(event("[" * 10000 + "]" * 10000)) == 413


def test_parser_rejects_invalid_utf8() -> None:
    raw = base64.b64encode(b'{"score": "\xff"}').decode()
    with pytest.raises(errors.InvalidInput, match="UTF-8"):
        parse(event(raw, b64=True))


def test_validator_puts_the_parsed_input_in_its_slot_and_rule_breaks_become_400() -> None:
    def parse_input(evt: dict[str, Any]) -> int:
        if evt["n"] < 0:
            raise errors.InvalidInput("n must be non-negative")
        return int(evt["n"]) * 2

    doubled: Slot[int] = Slot("doubled")
    hooks = validator(parse_input, into=doubled)
    assert hooks.before is not None
    ok = Request(event={"n": 2}, context=None)
    hooks.before(ok)
    assert doubled.take(ok) == 4
    with pytest.raises(errors.InvalidInput) as raised:
        hooks.before(Request(event={"n": -1}, context=None))
    response = handle(raised.value)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["message"] == "n must be non-negative"


def handle(error: Exception) -> dict[str, Any]:
    hooks = http_error_handler()
    assert hooks.on_error is not None
    response = hooks.on_error(Request(event=event(None), context=None, error=error))
    assert response is not None
    return response


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [
        (errors.InvalidInput("a rule"), 400, False),
        (http_errors.UnsupportedBody("not JSON"), 415, False),
        (http_errors.BodyTooLarge("too large"), 413, False),
        (errors.PlayerNotFound("weekly", "ada"), 404, False),
        (errors.BoardFull("weekly"), 507, False),
        (errors.StoreThrottled("Momento answered LIMIT_EXCEEDED_ERROR"), 429, True),
        (errors.StoreUnavailable("Momento answered SERVER_UNAVAILABLE"), 503, True),
        (errors.StoreTimeout("Momento answered TIMEOUT_ERROR"), 504, False),
        (errors.KeyUnavailable("could not fetch the SSM parameter /x"), 503, True),
    ],
)
def test_each_service_error_has_its_status_and_retry_after(
    error: errors.ServiceError, status: int, retry_after: bool
) -> None:
    response = handle(error)
    assert response["statusCode"] == status
    expected_headers = {"Content-Type": "application/json"} | ({"Retry-After": "1"} if retry_after else {})
    assert response["headers"] == expected_headers
    assert json.loads(response["body"])["requestId"] == "req-1"


def test_a_board_out_of_past_period_restores_says_when_to_retry_and_why() -> None:
    response = handle(errors.PastRebuildsLimited("weekly", 10, 42))
    assert (response["statusCode"], response["headers"]["Retry-After"]) == (503, "42")
    assert json.loads(response["body"])["message"] == (
        "Leaderboard 'weekly' has restored 10 past periods this minute, the most it may; retry in 42 s."
    )


def test_a_subclass_of_a_known_error_is_answered_like_its_parent() -> None:
    class UnknownPeriodPlayer(errors.PlayerNotFound):
        """A narrower not-found a later module might raise."""

    class Overloaded(errors.StoreUnavailable):
        pass

    assert handle(UnknownPeriodPlayer("weekly", "ada"))["statusCode"] == 404
    overloaded = handle(Overloaded("Momento answered SERVER_UNAVAILABLE"))
    assert (overloaded["statusCode"], overloaded["headers"].get("Retry-After")) == (503, "1")


def test_an_error_the_table_does_not_know_is_a_bare_500() -> None:
    class Surprise(errors.ServiceError):
        pass

    for error in (Surprise("internal detail"), RuntimeError("internal detail")):
        response = handle(error)
        assert response["statusCode"] == 500
        assert "internal detail" not in response["body"]


def test_client_errors_show_their_own_message_naming_the_rule_board_or_player() -> None:
    assert json.loads(handle(errors.InvalidInput("n must be even"))["body"])["message"] == "n must be even"
    assert "'ada'" in json.loads(handle(errors.PlayerNotFound("weekly", "ada"))["body"])["message"]
    assert "'weekly' is full" in json.loads(handle(errors.BoardFull("weekly"))["body"])["message"]


def test_store_and_key_failures_show_a_neutral_message_never_the_internal_reason() -> None:
    for error in (
        errors.StoreUnavailable("Momento answered X"),
        errors.KeyUnavailable("could not fetch the SSM parameter /p"),
    ):
        message = json.loads(handle(error)["body"])["message"]
        assert "temporarily unavailable; retry shortly" in message
        assert "Momento answered" not in message
        assert "/p" not in message
    assert (
        "leaderboard store" not in json.loads(handle(errors.KeyUnavailable("the key is malformed"))["body"])["message"]
    )


def test_error_handler_hides_everything_about_unexpected_errors() -> None:
    response = handle(KeyError("secret-internal-detail"))
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"message": "Internal server error", "requestId": "req-1"}
    assert "secret-internal-detail" not in response["body"]
