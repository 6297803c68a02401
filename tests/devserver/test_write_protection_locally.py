"""`make dev` protects writes as the deployed API does: an API key by default, SigV4 for IAM, CORS throughout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.dev_server import DevServerProcess

BODY = json.dumps({"score": 42}).encode()
JSON = {"Content-Type": "application/json"}


def start(tmp_path_factory: pytest.TempPathFactory, *args: str) -> Iterator[DevServerProcess]:
    log_path = tmp_path_factory.mktemp("auth") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", *args, log=log)
        yield server
        server.stop()


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    yield from start(tmp_path_factory)


@pytest.fixture(scope="module")
def iam_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    yield from start(tmp_path_factory, "--parameter-overrides", "WriteAuth=IAM")


def post(server: DevServerProcess, headers: dict[str, str], body: bytes = BODY) -> requests.Response:
    return requests.post(server.url + "/weekly/ada", data=body, headers={**JSON, **headers}, timeout=30)


def test_by_default_writes_need_the_printed_api_key(default_server: DevServerProcess) -> None:
    assert any("API key (x-api-key): local-dev-key" in line for line in default_server.banner)
    missing = post(default_server, {})
    assert missing.status_code == 403
    assert missing.json() == {
        "message": "Forbidden: POST needs the stage's API key in the x-api-key header; "
        "this request has none, or one this stage does not know.",
        "requestId": missing.headers["x-amzn-RequestId"],
    }
    assert missing.headers["x-amzn-ErrorType"] == "ForbiddenException"  # not a missing route
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    wrong = post(default_server, {"x-api-key": "wrong"})
    assert wrong.status_code == 403
    assert wrong.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert post(default_server, {"x-api-key": "local-dev-key"}).status_code == 202


def test_reads_stay_public(default_server: DevServerProcess) -> None:
    assert requests.get(default_server.url + "/weekly", timeout=30).status_code == 200
    assert requests.get(default_server.url + "/weekly/nobody", timeout=30).status_code == 404


def test_the_printed_curl_carries_the_key(default_server: DevServerProcess) -> None:
    post_example = next(line for line in default_server.banner if "curl -i -X POST" in line)
    assert "-H 'x-api-key: local-dev-key'" in post_example


def test_cors_preflight_is_answered_by_the_gateway(default_server: DevServerProcess) -> None:
    for path, methods in (("/weekly/ada", {"GET", "POST", "DELETE"}), ("/weekly", {"GET", "PUT", "DELETE"})):
        response = requests.options(
            default_server.url + path,
            headers={"Origin": "https://game.example.com", "Access-Control-Request-Method": "POST"},
            timeout=30,
        )
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "X-Api-Key" in response.headers["Access-Control-Allow-Headers"]
        assert set(response.headers["Access-Control-Allow-Methods"].split(",")) == methods | {"OPTIONS"}


def test_gateway_answers_carry_cors_headers(default_server: DevServerProcess) -> None:
    response = requests.get(default_server.url + "/weekly/ada/around/extra", timeout=30)  # no route
    assert response.status_code == 403
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def signed(server: DevServerProcess, secret: str = "local", body: bytes = BODY) -> dict[str, str]:
    request = AWSRequest(method="POST", url=server.url + "/weekly/ada", headers=dict(JSON), data=body)
    SigV4Auth(Credentials("local", secret), "execute-api", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_iam_mode_needs_a_valid_sigv4_signature(iam_server: DevServerProcess) -> None:
    unsigned = post(iam_server, {})
    assert unsigned.status_code == 403
    assert unsigned.json()["message"].startswith("No route answers this method and path, or the request is not signed")
    assert "SigV4" in unsigned.json()["message"]
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert post(iam_server, {"x-api-key": "local-dev-key"}).status_code == 403  # a key is not a signature
    assert post(iam_server, signed(iam_server)).status_code == 202
    wrong_secret = post(iam_server, signed(iam_server, secret="not-the-secret"))
    assert wrong_secret.status_code == 403
    assert "signature" in wrong_secret.json()["message"]
    assert wrong_secret.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    tampered = post(iam_server, signed(iam_server), body=json.dumps({"score": 9000}).encode())
    assert tampered.status_code == 403
    assert requests.get(iam_server.url + "/weekly/ada", timeout=30).json() == {"score": 42, "rank": 0}


def test_none_mode_leaves_writes_open(tmp_path: Path) -> None:
    with (tmp_path / "log").open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--parameter-overrides", "WriteAuth=NONE", log=log)
        try:
            assert post(server, {}).status_code == 202
        finally:
            server.stop()
