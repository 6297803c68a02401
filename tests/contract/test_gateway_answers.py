"""API Gateway's own answers, over HTTP only (in-process calls never meet the gateway): the API's error shape, and a
message that says what to do. Runs against the dev server, and with `make e2e` against a deployed stage."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.contract.conftest import sam_local_differs
from tests.support.api_client import HttpTarget
from tests.support.template import listed_routes, routes


def assert_gateway_error(response: requests.Response, status: int, error_type: str) -> str:
    """The API's error shape, API Gateway's real error type, CORS; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "requestId"}
    assert body["requestId"]
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == error_type
    assert response.headers["Access-Control-Allow-Origin"]
    message: str = body["message"]
    return message


@sam_local_differs('an unknown route is 403 {"message": "Missing Authentication Token"}: no requestId, no route list')
@pytest.mark.parametrize(("method", "path"), [("POST", "/"), ("DELETE", "/weekly/ada"), ("GET", "/weekly/ada/extra")])
def test_no_such_route_lists_the_routes(
    http_target: HttpTarget, http_session: requests.Session, method: str, path: str
) -> None:
    response = http_session.request(method, http_target.url.rstrip("/") + path, timeout=30)
    message = assert_gateway_error(response, 403, "MissingAuthenticationTokenException")
    assert message.startswith("No route answers this method and path")
    assert listed_routes(message) == {(route.method, route.path) for route in routes()}


@sam_local_differs("no API key check and no usage plan: the write reaches the function")
@pytest.mark.parametrize("key", [None, "not-the-key"], ids=["missing", "wrong"])
def test_a_write_without_the_api_key_names_the_header(
    http_target: HttpTarget, http_session: requests.Session, key: str | None
) -> None:
    if http_target.api_key is None:
        pytest.skip("this stage's writes need no API key (WriteAuth is IAM or NONE)")
    headers = {"Content-Type": "application/json", **({"x-api-key": key} if key else {})}
    url = f"{http_target.url.rstrip('/')}/e2e-{uuid.uuid4().hex[:12]}/ada"
    response = http_session.post(url, data=b'{"score": 1}', headers=headers, timeout=30)
    message = assert_gateway_error(response, 403, "ForbiddenException")
    assert "x-api-key" in message
