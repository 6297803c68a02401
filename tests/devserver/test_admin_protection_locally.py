"""`make dev` protects the admin routes as the deployed API does: a SigV4 signature by default (AdminAuth=IAM); with
AdminAuth=API_KEY the admin key, where the gateway lets any key of the stage through and the function itself refuses
the write key."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devserver.api_keys import local_key_id, stage_keys
from devserver.events import HttpRequest
from devserver.gateway_auth import sigv4_denial
from devserver.gateway_responses import GatewayError
from devserver.template import load_application
from tests.support import ROOT
from tests.support.dev_server import DevServerProcess, curl_status

WRITE_KEY = "local-dev-key"
ADMIN_KEY = "local-admin-key"
JSON = {"Content-Type": "application/json"}
# The admin routes, with a body each accepts: PUT {} changes no setting.
ADMIN_REQUESTS = [("PUT", "/weekly", b"{}"), ("DELETE", "/weekly/ada", b""), ("DELETE", "/weekly", b"")]
PASSED = {200, 204}  # what the admin routes answer a request they take
GATEWAY_AUTH_ERRORS = {"MissingAuthenticationTokenException", "ForbiddenException", "InvalidSignatureException"}


def start(logs: Path, *args: str) -> Iterator[DevServerProcess]:
    with (logs / "dev-server.log").open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--api-key", WRITE_KEY, *args, log=log)
        yield server
        server.stop()


@pytest.fixture(scope="module")
def iam_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    """`make dev`: AdminAuth=IAM, the default."""
    yield from start(tmp_path_factory.mktemp("admin-iam"))


@pytest.fixture(scope="module")
def key_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    """`make dev ADMIN_AUTH=API_KEY ADMIN_KEY=local-admin-key`."""
    logs = tmp_path_factory.mktemp("admin-key")
    yield from start(logs, "--admin-key", ADMIN_KEY, "--parameter-overrides", "AdminAuth=API_KEY")


def send(
    server: DevServerProcess, method: str, path: str, body: bytes, headers: dict[str, str] | None = None
) -> requests.Response:
    sent = {**(JSON if body else {}), **(headers or {})}
    return requests.request(method, server.url + path, data=body, headers=sent, timeout=30)


def signed(
    server: DevServerProcess,
    method: str,
    path: str,
    body: bytes,
    secret: str = "local",
    *,
    service: str = "execute-api",
    region: str = "us-east-1",
) -> dict[str, str]:
    """The headers of the request signed as an AWS SDK signs for API Gateway, with the given secret and scope."""
    request = AWSRequest(method=method, url=server.url + path, headers=dict(JSON) if body else {}, data=body)
    SigV4Auth(Credentials("local", secret), service, region).add_auth(request)
    return dict(request.headers.items())


def assert_gateway_refusal(response: requests.Response, error_type: str) -> str:
    """API Gateway's 403 in the API's error shape, with CORS; returns the message."""
    assert response.status_code == 403, response.text
    body = response.json()
    assert body == {"message": body["message"], "requestId": response.headers["x-amzn-RequestId"]}
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    message: str = body["message"]
    return message


def assert_passed(response: requests.Response) -> None:
    assert response.status_code in PASSED, response.text
    assert response.headers.get("x-amzn-ErrorType") not in GATEWAY_AUTH_ERRORS


# --- AdminAuth=IAM, the default ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_REQUESTS)
def test_an_unsigned_admin_request_is_the_gateways_403(
    iam_server: DevServerProcess, method: str, path: str, body: bytes
) -> None:
    message = assert_gateway_refusal(send(iam_server, method, path, body), "MissingAuthenticationTokenException")
    assert message.startswith("No route answers this method and path, or the request is not signed.")
    assert "PUT and DELETE, the admin routes, need a SigV4 signature for execute-api" in message


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_REQUESTS)
def test_the_write_key_is_no_signature(iam_server: DevServerProcess, method: str, path: str, body: bytes) -> None:
    response = send(iam_server, method, path, body, {"x-api-key": WRITE_KEY})
    assert_gateway_refusal(response, "MissingAuthenticationTokenException")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_REQUESTS)
def test_a_request_signed_with_the_local_credentials_passes(
    iam_server: DevServerProcess, method: str, path: str, body: bytes
) -> None:
    assert_passed(send(iam_server, method, path, body, signed(iam_server, method, path, body)))


def test_a_wrong_secret_or_a_tampered_body_is_refused(iam_server: DevServerProcess) -> None:
    wrong = send(iam_server, "PUT", "/weekly", b"{}", signed(iam_server, "PUT", "/weekly", b"{}", secret="nope"))
    assert "signature" in assert_gateway_refusal(wrong, "InvalidSignatureException")
    headers = signed(iam_server, "PUT", "/weekly", b"{}")
    tampered = send(iam_server, "PUT", "/weekly", b'{"order": "asc"}', headers)
    assert_gateway_refusal(tampered, "InvalidSignatureException")


# A signature made with the right credentials but scoped to another service (an SDK client built for S3, or for
# API Gateway's control plane) or another region than the stage's: API Gateway refuses it before checking it.
WRONG_SCOPES = [
    ("s3", "us-east-1", "Credential should be scoped to correct service: 'execute-api'. "),
    ("apigateway", "us-east-1", "Credential should be scoped to correct service: 'execute-api'. "),
    ("execute-api", "eu-west-1", "Credential should be scoped to a valid region, not 'eu-west-1'. "),
]


@pytest.mark.parametrize(("service", "region", "message"), WRONG_SCOPES, ids=["s3", "apigateway", "eu-west-1"])
def test_a_signature_scoped_to_another_service_or_region_is_refused(
    iam_server: DevServerProcess, service: str, region: str, message: str
) -> None:
    # Given an admin request signed with the local credentials, for another service or region
    headers = signed(iam_server, "PUT", "/weekly", b"{}", service=service, region=region)
    # When it reaches the gateway, Then it is the INVALID_SIGNATURE gateway response (the template's own words)
    refused = assert_gateway_refusal(send(iam_server, "PUT", "/weekly", b"{}", headers), "InvalidSignatureException")
    assert "sign it for the service execute-api in this API's region" in refused


@pytest.mark.parametrize(("service", "region", "message"), WRONG_SCOPES, ids=["s3", "apigateway", "eu-west-1"])
def test_the_gateways_own_words_for_a_wrong_scope(service: str, region: str, message: str) -> None:
    # Given a DELETE signed for another service or region (the words reach a template as $context.error.message)
    url = "http://127.0.0.1:3000/weekly/ada"
    aws_request = AWSRequest(method="DELETE", url=url, headers={"Host": "127.0.0.1:3000"})
    SigV4Auth(Credentials("local", "local"), service, region).add_auth(aws_request)
    request = HttpRequest("DELETE", "/weekly/ada", "", list(aws_request.headers.items()), b"", "127.0.0.1")
    # When the gateway checks it, Then it answers as API Gateway does
    assert sigv4_denial(request, "http://127.0.0.1:3000") == GatewayError(
        403, message, "INVALID_SIGNATURE", "InvalidSignatureException"
    )
    # and the same request scoped to execute-api in us-east-1 passes
    SigV4Auth(Credentials("local", "local"), "execute-api", "us-east-1").add_auth(aws_request)
    request = HttpRequest("DELETE", "/weekly/ada", "", list(aws_request.headers.items()), b"", "127.0.0.1")
    assert sigv4_denial(request, "http://127.0.0.1:3000") is None


def test_reads_and_writes_keep_their_own_protection(iam_server: DevServerProcess) -> None:
    assert send(iam_server, "GET", "/weekly/ada/around", b"").status_code != 403
    assert send(iam_server, "POST", "/weekly/ada", b'{"score": 1}', {"x-api-key": WRITE_KEY}).status_code == 202
    missing = send(iam_server, "POST", "/weekly/ada", b'{"score": 1}')
    assert "x-api-key" in assert_gateway_refusal(missing, "ForbiddenException")


def test_the_banner_marks_the_admin_routes_and_its_signed_curl_passes(iam_server: DevServerProcess) -> None:
    routes = [line for line in iam_server.banner if "  ->  " in line]
    admin = [line for line in routes if "(admin: needs SigV4: access key id 'local', secret 'local')" in line]
    assert sorted(line.split()[0] for line in admin) == ["DELETE", "DELETE", "PUT"]
    assert any(line.split()[0] == "GET" and line.split()[1].endswith("/around") for line in routes)
    examples = [line.strip() for line in iam_server.banner if "--aws-sigv4" in line]
    assert len(examples) == 3
    put = next(line for line in examples if " -X PUT " in line)
    assert '--aws-sigv4 "aws:amz:us-east-1:execute-api" --user local:local' in put
    assert curl_status(put) in PASSED, put


def test_the_documented_signed_curl_passes_and_the_same_unsigned_is_refused(iam_server: DevServerProcess) -> None:
    # Given the signed example of "Who may call what" (docs/operations.md, which the README links for it)
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    start = operations.index("### Who may call what\n")
    end = operations.find("\n## ", start)
    section = operations[start : end if end != -1 else len(operations)]
    command = next(
        block.split("\n#", 1)[0].replace("\\\n", " ")
        for block in section.split("```sh\n")[1:]
        if "--aws-sigv4" in block
    )
    arguments = shlex.split(command.replace("$API", iam_server.url))

    def status(extra: list[str]) -> int:
        result = subprocess.run(
            [*extra, "-o", "/dev/null", "-w", "%{http_code}"], capture_output=True, text=True, check=False, timeout=30
        )
        return int(result.stdout)

    # When curl sends it to `make dev`, Then it passes the gateway; without the signature it is refused
    assert status(arguments) in PASSED
    unsigned = [a for a in arguments if a not in ("--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user")]
    unsigned.remove("local:local")
    assert status(unsigned) == 403


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/weekly", "GET,PUT,DELETE,OPTIONS"),
        ("/weekly/ada", "GET,POST,DELETE,OPTIONS"),
        ("/weekly/ada/around", "GET,OPTIONS"),
    ],
)
def test_each_preflight_lists_its_paths_methods(iam_server: DevServerProcess, path: str, methods: str) -> None:
    response = requests.options(
        iam_server.url + path,
        headers={"Origin": "https://game.example.com", "Access-Control-Request-Method": "DELETE"},
        timeout=30,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == methods
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "X-Amz-Date" in response.headers["Access-Control-Allow-Headers"]


# --- AdminAuth=API_KEY ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_REQUESTS)
@pytest.mark.parametrize("key", [None, "not-a-key-of-this-stage"], ids=["no key", "unknown key"])
def test_without_a_key_of_the_stage_an_admin_request_is_the_gateways_403(
    key_server: DevServerProcess, key: str | None, method: str, path: str, body: bytes
) -> None:
    headers = {"x-api-key": key} if key else {}
    message = assert_gateway_refusal(send(key_server, method, path, body, headers), "ForbiddenException")
    assert "x-api-key" in message
    assert "PUT and DELETE the stage's admin API key" in message


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_REQUESTS)
def test_the_write_key_passes_the_gateway_but_the_function_refuses_it(
    key_server: DevServerProcess, method: str, path: str, body: bytes
) -> None:
    # Given the write key, which the gateway accepts on every method that needs a key (as API Gateway does)
    response = send(key_server, method, path, body, {"x-api-key": WRITE_KEY})

    # Then the function answers 403 itself (no gateway error type), in the API's error shape, with CORS
    assert response.status_code == 403, response.text
    assert "x-amzn-ErrorType" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body_ = response.json()
    assert body_ == {"message": body_["message"], "requestId": response.headers["x-amzn-RequestId"]}
    assert "admin API key" in body_["message"]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_REQUESTS)
def test_the_admin_key_passes(key_server: DevServerProcess, method: str, path: str, body: bytes) -> None:
    assert_passed(send(key_server, method, path, body, {"x-api-key": ADMIN_KEY}))


def test_a_signature_is_no_admin_key(key_server: DevServerProcess) -> None:
    response = send(key_server, "PUT", "/weekly", b"{}", signed(key_server, "PUT", "/weekly", b"{}"))
    assert_gateway_refusal(response, "ForbiddenException")


def test_writes_still_take_the_write_key(key_server: DevServerProcess) -> None:
    assert send(key_server, "POST", "/weekly/ada", b'{"score": 1}', {"x-api-key": WRITE_KEY}).status_code == 202


def test_the_banner_prints_both_keys_and_a_curl_with_the_admin_key_that_passes(key_server: DevServerProcess) -> None:
    printed = "".join(key_server.banner)
    assert f"API key (x-api-key): {WRITE_KEY}" in printed
    assert f"Admin API key (x-api-key; the admin routes refuse any other): {ADMIN_KEY}" in printed
    put = next(line.strip() for line in key_server.banner if "curl" in line and " -X PUT " in line)
    assert f"-H 'x-api-key: {ADMIN_KEY}'" in put
    assert curl_status(put) in PASSED, put


# --- What the dev server derives from the template --------------------------------------------------------------


def test_the_admin_functions_get_the_local_admin_keys_id_only_under_api_key() -> None:
    admin = {"UpdateBoardSettingsFunction", "RemoveBoardFunction", "RemovePlayerFunction"}
    default = load_application(ROOT / "template.yaml")
    with_key = load_application(ROOT / "template.yaml", parameter_overrides={"AdminAuth": "API_KEY"})
    for function_id, spec in default.functions.items():
        assert spec.environment.get("ADMIN_API_KEY_ID") == ("" if function_id in admin else None)
    for function_id, spec in with_key.functions.items():
        assert spec.environment.get("ADMIN_API_KEY_ID") == ("local-admin-key-id" if function_id in admin else None)
    keys = stage_keys(with_key.api_keys, WRITE_KEY, ADMIN_KEY)
    assert [(key.key_id, key.value, key.admin) for key in keys] == [
        ("local-write-key-id", WRITE_KEY, False),
        ("local-admin-key-id", ADMIN_KEY, True),
    ]
    assert default.api_keys == ("WriteApiKey",)
    assert load_application(ROOT / "template.yaml", parameter_overrides={"WriteAuth": "IAM"}).api_keys == ()
    assert local_key_id("AdminApiKey") == "local-admin-key-id"


def test_the_admin_key_must_differ_from_the_write_key() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "devserver",
            "--port",
            "0",
            "--parameter-overrides",
            "AdminAuth=API_KEY",
            "--api-key",
            "same",
            "--admin-key",
            "same",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "the admin key must differ from the write key" in result.stderr
    assert "Ready" not in result.stdout
