"""The JSON body parser, the validator and the HTTP error handler, each on its own."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from shared.http_errors import HttpError, service_unavailable
from shared.leaderboard import InvalidInputError
from shared.middlewares.http_error_handler import http_error_handler
from shared.middlewares.json_body_parser import is_json_media_type, json_body_parser
from shared.middlewares.validator import validator
from shared.middy import Request


def event(body: str | None, content_type: str | None = "application/json", b64: bool = False) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return {"body": body, "headers": headers, "isBase64Encoded": b64, "requestContext": {"requestId": "req-1"}}


def parse(evt: dict[str, Any], max_body_bytes: int = 4096) -> Any:
    hooks = json_body_parser(max_body_bytes)
    assert hooks.before is not None
    hooks.before(Request(event=evt, context=None))
    return evt["body"]


def status_of(evt: dict[str, Any]) -> int:
    with pytest.raises(HttpError) as raised:
        parse(evt)
    return raised.value.status


def test_parser_replaces_the_body_with_the_parsed_value() -> None:
    assert parse(event('{"score": 1, "nested": {"a": [1, 2]}}')) == {"score": 1, "nested": {"a": [1, 2]}}
    assert parse(event(base64.b64encode(b'{"score": 2}').decode(), b64=True)) == {"score": 2}


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
    with pytest.raises(HttpError, match="UTF-8"):
        parse(event(raw, b64=True))


def test_validator_puts_the_parsed_input_on_the_event_and_turns_rule_breaks_into_400() -> None:
    def parse_input(evt: dict[str, Any]) -> int:
        if evt["n"] < 0:
            raise InvalidInputError("n must be non-negative")
        return int(evt["n"]) * 2

    hooks = validator(parse_input)
    assert hooks.before is not None
    ok = {"n": 2}
    hooks.before(Request(event=ok, context=None))
    assert ok["input"] == 4
    with pytest.raises(HttpError) as raised:
        hooks.before(Request(event={"n": -1}, context=None))
    assert (raised.value.status, raised.value.message) == (400, "n must be non-negative")


def handle(error: Exception) -> dict[str, Any]:
    hooks = http_error_handler()
    assert hooks.on_error is not None
    response = hooks.on_error(Request(event=event(None), context=None, error=error))
    assert response is not None
    return response


def test_error_handler_keeps_client_errors_status_message_and_headers() -> None:
    response = handle(service_unavailable("store down"))
    assert response["statusCode"] == 503
    assert response["headers"] == {"Content-Type": "application/json", "Retry-After": "1"}
    assert json.loads(response["body"]) == {"message": "store down", "requestId": "req-1"}


def test_error_handler_hides_everything_about_unexpected_errors() -> None:
    response = handle(KeyError("secret-internal-detail"))
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"message": "Internal server error", "requestId": "req-1"}
    assert "secret-internal-detail" not in response["body"]
