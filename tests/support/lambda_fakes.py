"""What Lambda hands a function, for invoking handlers in-process: a context, and API Gateway REST (v1 proxy) events
built from the sample events in events/ (the same shape `sam local generate-event` gives).

Used by the tests, the key-leak probe and `make bench` alike. Standard library and devserver only: the probe and the
bench import it in processes whose imports are part of what they watch.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from functools import cache
from typing import Any
from urllib.parse import quote

from devserver.lambda_context import LambdaContext
from devserver.local_aws import function_arn
from tests.support import ROOT

EVENTS = ROOT / "events"
STAGE = "test"


def lambda_context(function_name: str, timeout_ms: int = 10_000) -> LambdaContext:
    """The context of an invocation of `function_name`, with `timeout_ms` left."""
    return LambdaContext(function_name, function_arn(function_name), timeout_ms=timeout_ms)


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/, fresh each time (callers change it)."""
    return copy.deepcopy(_sample(name))


@cache
def _sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


def submit_event(
    board: str,
    name: str,
    body: Any,
    *,
    content_type: str | None = "application/json",
    base64_body: bool = False,
    raw_body: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A POST event; `body` is JSON-encoded unless `raw_body` (then sent as the exact string given); `headers`
    besides its own."""
    event = _request_event("submit-score.json", {"leaderboard": board, "name": name})
    text = body if raw_body else json.dumps(body)
    event["body"] = base64.b64encode(text.encode()).decode() if base64_body else text
    event["isBase64Encoded"] = base64_body
    sent = {k: v for k, v in event["headers"].items() if k.lower() != "content-type"} | (headers or {})
    if content_type is not None:
        sent["Content-Type"] = content_type
    event["headers"] = sent
    event["multiValueHeaders"] = {k: [v] for k, v in sent.items()}
    return event


def standing_event(board: str, name: str) -> dict[str, Any]:
    return _request_event("get-standing.json", {"leaderboard": board, "name": name})


Query = dict[str, str] | list[tuple[str, str]]


def page_event(board: str, query: Query | None = None) -> dict[str, Any]:
    """A GET of a page; `query` as pairs may repeat a name: API Gateway keeps the last value, and every one in
    multiValueQueryStringParameters."""
    return with_query(_request_event("get-leaderboard.json", {"leaderboard": board}), query)


def board_page_event(query: Query | None = None) -> dict[str, Any]:
    """A browser's GET / (the board page), with the query its address carries."""
    return with_query(_request_event("get-page.json", None), query)


def around_event(board: str, name: str, query: Query | None = None) -> dict[str, Any]:
    return _as(with_query(standing_event(board, name), query), "get-around.json")


def settings_event(board: str, body: Any, *, raw_body: bool = False) -> dict[str, Any]:
    """A board's settings changed (an admin route: what API Gateway hands over once it has let the request through)."""
    event = submit_event(board, "-", body, raw_body=raw_body)
    event["pathParameters"] = {"leaderboard": board}
    return _as(event, "update-board-settings.json")


def remove_player_event(board: str, name: str) -> dict[str, Any]:
    return _as(standing_event(board, name), "remove-player.json")


def remove_board_event(board: str) -> dict[str, Any]:
    return _as(page_event(board), "remove-board.json")


def _as(event: dict[str, Any], sample: str) -> dict[str, Any]:
    """The event sent to the route of another sample event: its method and resource, the path following them."""
    route = _sample(sample)
    event["httpMethod"] = event["requestContext"]["httpMethod"] = route["httpMethod"]
    event["resource"] = event["requestContext"]["resourcePath"] = route["resource"]
    _set_path(event, route["resource"])
    return event


def with_query(event: dict[str, Any], query: Query | None) -> dict[str, Any]:
    pairs = list(query.items()) if isinstance(query, dict) else list(query or [])
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    event["queryStringParameters"] = {name: values[-1] for name, values in multi.items()} or None
    event["multiValueQueryStringParameters"] = multi or None
    return event


def with_headers(event: dict[str, Any], headers: dict[str, str] | None) -> dict[str, Any]:
    """Request headers added as API Gateway passes them: in headers and in multiValueHeaders."""
    for name, value in (headers or {}).items():
        event.setdefault("headers", {})[name] = value
        event.setdefault("multiValueHeaders", {})[name] = [value]
    return event


def _request_event(sample: str, path_parameters: dict[str, str] | None) -> dict[str, Any]:
    """A sample event with these path parameters, in its path too, and a request id of its own."""
    event = load_event(sample)
    event["pathParameters"] = path_parameters
    _set_path(event, event["resource"])
    event["requestContext"]["requestId"] = str(uuid.uuid4())
    return event


def _set_path(event: dict[str, Any], resource: str) -> None:
    """The path a request for `resource` has: each {parameter} segment holds the event's value, percent-encoded."""
    parameters = event["pathParameters"] or {}
    segments = [
        quote(parameters[segment[1:-1]]) if segment[0] == "{" else segment for segment in resource.split("/") if segment
    ]
    path = "/" + "/".join(segments)
    event["path"] = path
    event["requestContext"]["path"] = f"/{STAGE}{path}"
