"""The dev server as API Gateway: routing, the events it builds, its own answers (403/502/504), the context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.dev_server import DevServerProcess

EVENTS = Path(__file__).resolve().parents[2] / "events"


def get(server: DevServerProcess, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(server.url + path, timeout=30, **kwargs)


def echoed(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def same_kinds(built: dict[str, Any], sample: dict[str, Any]) -> None:
    """Same keys, and each value of the same JSON type where both are present (None marks an absent part)."""
    assert set(built) == set(sample)
    for key, value in built.items():
        if value is not None and sample[key] is not None:
            assert type(value) is type(sample[key]), key


def test_the_event_has_the_shape_of_the_sample_events(sample_server: DevServerProcess) -> None:
    # Given a POST with a JSON body, and a GET with a query string, as API Gateway would receive them
    headers = {"Content-Type": "application/json"}
    post_response = requests.post(sample_server.url + "/echo/v", data=b'{"score": 1}', headers=headers, timeout=30)
    posted = echoed(post_response)
    queried = echoed(get(sample_server, "/echo/v?startRank=0&endRank=10"))
    # Then the events carry the same keys with the same types as the files in events/ (built from sam's own)
    sample_post = json.loads((EVENTS / "submit-score.json").read_text(encoding="utf-8"))
    sample_get = json.loads((EVENTS / "get-leaderboard.json").read_text(encoding="utf-8"))
    for built, sample in ((posted["event"], sample_post), (queried["event"], sample_get)):
        same_kinds(built, sample)
        assert set(sample["requestContext"]) <= set(built["requestContext"])
        same_kinds({k: built["requestContext"][k] for k in sample["requestContext"]}, sample["requestContext"])
        assert set(sample["requestContext"]["identity"]) <= set(built["requestContext"]["identity"])
    event = posted["event"]
    assert event["body"] == '{"score": 1}'
    assert event["isBase64Encoded"] is False
    assert event["resource"] == event["requestContext"]["resourcePath"] == "/echo/{thing}"
    assert event["requestContext"]["stage"] == "Prod"
    assert event["requestContext"]["path"] == "/Prod/echo/v"
    assert event["requestContext"]["httpMethod"] == "POST"
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert event["requestContext"]["requestId"] == post_response.headers["x-amzn-RequestId"]
    assert queried["event"]["queryStringParameters"] == {"startRank": "0", "endRank": "10"}
    assert queried["event"]["multiValueQueryStringParameters"] == {"startRank": ["0"], "endRank": ["10"]}


def test_absent_parts_are_null_as_api_gateway_sends_them(sample_server: DevServerProcess) -> None:
    event = echoed(get(sample_server, "/echo/v"))["event"]
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["stageVariables"] is None
    assert event["body"] is None


def test_path_parameters_are_url_decoded_and_path_stays_encoded(sample_server: DevServerProcess) -> None:
    event = echoed(get(sample_server, "/echo/Jos%C3%A9%20Mar%C3%ADa%20%F0%9F%8F%8E"))["event"]
    assert event["pathParameters"] == {"thing": "José María 🏎"}
    assert event["path"] == "/echo/Jos%C3%A9%20Mar%C3%ADa%20%F0%9F%8F%8E"
    slash = echoed(get(sample_server, "/echo/a%2Fb"))["event"]
    assert slash["pathParameters"] == {"thing": "a/b"}


def test_repeated_headers_and_query_values(sample_server: DevServerProcess) -> None:
    event = echoed(get(sample_server, "/echo/v?tag=a&tag=b&q=x%20y", headers={"X-Custom": "1"}))["event"]
    assert event["queryStringParameters"] == {"tag": "b", "q": "x y"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "q": ["x y"]}
    assert event["headers"]["X-Custom"] == "1"
    assert event["multiValueHeaders"]["X-Custom"] == ["1"]


def test_binary_bodies_arrive_base64_encoded(sample_server: DevServerProcess) -> None:
    response = requests.post(sample_server.url + "/echo/v", data=b"\xff\xfe\x00binary", timeout=30)
    event = echoed(response)["event"]
    assert event["isBase64Encoded"] is True
    assert event["body"] == "//4AYmluYXJ5"


def test_a_literal_route_wins_over_a_parameter(sample_server: DevServerProcess) -> None:
    assert echoed(get(sample_server, "/echo/fixed"))["event"]["resource"] == "/echo/fixed"


def test_the_response_keeps_status_headers_and_multi_value_headers(sample_server: DevServerProcess) -> None:
    response = get(sample_server, "/echo/v")
    assert response.headers["X-Version"] == "v1"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers["x-amzn-RequestId"]


def test_the_environment_comes_from_the_template_and_env_json_like_sam_local(
    sample_server: DevServerProcess,
) -> None:
    body = echoed(get(sample_server, "/echo/v"))
    assert body["greeting"] == "echo-only"  # env.json's per-function entry
    assert body["from_env_json"] == "from-env-json"  # env.json's Parameters
    assert body["not_declared"] is None  # only declared variables are overridden, as sam local does


def test_the_context_is_lambda_like_and_honours_the_functions_timeout(sample_server: DevServerProcess) -> None:
    context = echoed(get(sample_server, "/context"))
    assert context["memory_limit_in_mb"] == 512
    assert context["function_name"]
    assert context["invoked_function_arn"].endswith(":function:" + context["function_name"])
    assert context["aws_request_id"]
    assert 6000 < context["remaining_ms"] <= 7000


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nowhere"), ("GET", "/"), ("DELETE", "/echo/v"), ("GET", "/echo/v/extra"), ("POST", "/context")],
)
def test_unknown_paths_and_methods_are_403_missing_authentication_token(
    sample_server: DevServerProcess, method: str, path: str
) -> None:
    response = requests.request(method, sample_server.url + path, timeout=30)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


@pytest.mark.parametrize(
    "path",
    ["/boom", "/malformed/not-a-dict", "/malformed/no-status", "/malformed/body-not-string", "/malformed/not-json"],
)
def test_a_raising_or_malformed_handler_is_502(sample_server: DevServerProcess, path: str) -> None:
    response = get(sample_server, path)
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_a_base64_response_is_decoded(sample_server: DevServerProcess) -> None:
    assert get(sample_server, "/malformed/binary").content == b"\x00\x01binary"


def test_a_handler_that_overruns_its_timeout_is_504_and_the_function_recovers(
    sample_server: DevServerProcess,
) -> None:
    response = get(sample_server, "/slow")
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}
    assert response.elapsed.total_seconds() < 4  # the 1 s Timeout, not the handler's 5 s sleep
    assert get(sample_server, "/echo/v").status_code == 200
