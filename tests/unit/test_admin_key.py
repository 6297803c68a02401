"""The admin routes' own check (AdminAuth=API_KEY): only the admin key's id gets through, whatever API Gateway let in.

API Gateway accepts any key of the stage on a method that needs one, so without this check the write key that ships
in game clients would change settings and remove boards. Under AdminAuth=IAM the setting is empty and nothing is
checked here (the gateway checks the signature).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shared.domain import errors
from shared.http.api import api_handler
from shared.http.middlewares.admin_key import admin_key
from shared.http.middlewares.http_error_handler import http_error_handler
from shared.http.middy import Request, Response, middy
from shared.platform.config import settings
from shared.platform.secret import Secret
from tests.support.lambda_fakes import lambda_context

ADMIN_KEY_ID = "a1b2c3admin"
WRITE_KEY_ID = "z9y8x7write"


def event(api_key_id: Any = None, *, identity: bool = True, body: str | None = None) -> dict[str, Any]:
    """An API Gateway REST event as the gateway builds it after accepting a key (`apiKeyId`), or none."""
    context: dict[str, Any] = {"requestId": "req-1"}
    if identity:
        context["identity"] = {"sourceIp": "203.0.113.9", "apiKey": None, "apiKeyId": api_key_id}
    return {
        "httpMethod": "DELETE",
        "resource": "/{leaderboard}",
        "pathParameters": {"leaderboard": "weekly"},
        "headers": {"Content-Type": "text/plain"},
        "body": body,
        "isBase64Encoded": False,
        "requestContext": context,
    }


class Reached:
    """A handler that notes it ran."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: Request) -> Response:
        self.calls += 1
        return {"statusCode": 204, "headers": {}, "body": ""}


def run(admin_key_id: str, evt: dict[str, Any]) -> tuple[Response, int]:
    """The check in a chain as api_handler builds it (errors answered outermost); the answer and the handler's calls."""
    handler = Reached()
    chain = middy(handler).use(http_error_handler()).use(admin_key(admin_key_id))
    return chain(evt, None), handler.calls


@pytest.mark.parametrize(
    "evt",
    [
        event(WRITE_KEY_ID),
        event(None),
        event(""),
        event(ADMIN_KEY_ID.upper()),
        event(ADMIN_KEY_ID + "x"),
        event(123),
        event(identity=False),
    ],
    ids=["the write key", "no key id", "empty key id", "another case", "a longer id", "not a string", "no identity"],
)
def test_with_an_admin_key_configured_any_other_key_is_403_and_never_reaches_the_handler(evt: dict[str, Any]) -> None:
    # Given admin routes protected by the admin key, When a request arrives with another key (or none)
    response, calls = run(ADMIN_KEY_ID, evt)

    # Then it is refused with the API's error shape, saying the route needs the admin key, and the handler never ran
    assert response["statusCode"] == 403
    assert response["headers"] == {"Content-Type": "application/json"}
    body = json.loads(response["body"])
    assert set(body) == {"message", "requestId"}
    assert body["requestId"] == "req-1"
    assert "admin API key" in body["message"]
    assert "x-api-key" in body["message"]
    assert calls == 0


def test_the_admin_keys_id_passes() -> None:
    # Given admin routes protected by the admin key, When API Gateway accepted the admin key
    response, calls = run(ADMIN_KEY_ID, event(ADMIN_KEY_ID))

    # Then the handler answers
    assert (response["statusCode"], calls) == (204, 1)


@pytest.mark.parametrize("evt", [event(None), event(WRITE_KEY_ID), event(identity=False)], ids=["none", "any", "no"])
def test_with_no_admin_key_configured_the_check_does_nothing(evt: dict[str, Any]) -> None:
    # Given AdminAuth=IAM (the template sets ADMIN_API_KEY_ID empty: the gateway checked the signature)
    # When any request reaches the function, Then the handler answers
    response, calls = run("", evt)
    assert (response["statusCode"], calls) == (204, 1)


def test_the_error_is_a_403_in_the_error_table() -> None:
    # Given the error the check raises, When the error handler answers it, Then it is a 403 with its own message.
    # Imported here, all three at once: other tests import the functions' modules afresh (a cold start), and a class
    # from one import is not the same class as from another.
    from shared.domain.errors import ServiceError  # noqa: PLC0415
    from shared.http.errors import AdminKeyRequired  # noqa: PLC0415
    from shared.http.middlewares.http_error_handler import http_error_handler  # noqa: PLC0415

    assert issubclass(AdminKeyRequired, ServiceError)
    hooks = http_error_handler()
    assert hooks.on_error is not None
    answered = hooks.on_error(Request(event=event(None), context=None, error=AdminKeyRequired()))
    assert answered is not None
    assert answered["statusCode"] == 403
    assert json.loads(answered["body"])["message"] == AdminKeyRequired().message


# --- Through api_handler, as a handler module declares it -----------------------------------------------------------


@pytest.fixture
def admin_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The variables a function's cold start reads, with the admin key's id set as AdminAuth=API_KEY sets it."""
    monkeypatch.setenv("MOMENTO_API_KEY_PARAM_NAME", "/leaderboard-api/test/momento-api-key")
    monkeypatch.setenv("MOMENTO_CACHE_NAME", "leaderboard")
    monkeypatch.setenv("LEADERBOARD_TABLE_NAME", "leaderboard-api-test")
    monkeypatch.setenv("ADMIN_API_KEY_ID", ADMIN_KEY_ID)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    settings.cache_clear()
    yield
    settings.cache_clear()


def refusing_parse(evt: dict[str, Any]) -> str:
    """Validation that always refuses: a 400 shows the request got past the admin check to the rules."""
    raise errors.InvalidInput("the rules ran")


def test_an_admin_handler_refuses_the_write_key_before_reading_the_body(admin_environment: None) -> None:
    # Given a handler declared admin, with a JSON body, in a function configured with the admin key's id
    calls: list[str] = []

    @api_handler(refusing_parse, json_body=True, admin=True)
    def update(value: str, key: Secret) -> Response:
        calls.append(value)
        return {"statusCode": 200, "headers": {}, "body": "{}"}

    assert settings().admin_api_key_id == ADMIN_KEY_ID

    # When the write key's request arrives, with a body that is not even JSON
    refused = update(event(WRITE_KEY_ID, body="not json"), lambda_context("leaderboard-api-test-update-settings"))

    # Then it is 403 (not 415: the body is never read), with CORS like every answer, and nothing ran
    assert refused["statusCode"] == 403
    assert refused["headers"]["Access-Control-Allow-Origin"] == "*"
    assert "admin API key" in json.loads(refused["body"])["message"]
    assert calls == []

    # And the admin key's request gets past the check to the body and the rules
    passed = update(event(ADMIN_KEY_ID, body="not json"), lambda_context("leaderboard-api-test-update-settings"))
    assert passed["statusCode"] == 415


def test_a_handler_not_declared_admin_takes_any_key(admin_environment: None) -> None:
    # Given a public or write handler in the same configuration
    @api_handler(refusing_parse)
    def read(value: str, key: Secret) -> Response:
        return {"statusCode": 200, "headers": {}, "body": "{}"}

    # When the write key's request arrives, Then no admin check stands in the way: the rules answer
    answered = read(event(WRITE_KEY_ID), lambda_context("leaderboard-api-test-get-leaderboard"))
    assert answered["statusCode"] == 400
    assert json.loads(answered["body"])["message"] == "the rules ran"
