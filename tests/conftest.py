"""Shared fixtures: moto's SSM server over real HTTP, the service's environment, Lambda contexts and events."""

from __future__ import annotations

import base64
import copy
import importlib
import json
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from aws_lambda_powertools.logging import logger as powertools_logger
from aws_lambda_powertools.metrics.provider import cold_start as powertools_cold_start
from moto.server import ThreadedMotoServer
from mypy_boto3_ssm import SSMClient

from momento_local import MomentoLocalServer

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
REGION = "us-east-1"
STAGE = "test"
API_KEY_PARAMETER = f"/leaderboard-api/{STAGE}/momento-api-key"
API_KEY = "test-momento-key-1"
CACHE = "leaderboard"
HANDLERS = ("handlers.submit_score", "handlers.get_standing", "handlers.get_leaderboard")

# Never reach real AWS: dummy credentials and a fixed region for every boto3 client made in tests.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # moto's conventional dummy credential
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
)


@pytest.fixture(scope="session")
def moto_ssm() -> Iterator[str]:
    """moto's server on a free port; yields its endpoint URL (SSM is reached over real HTTP)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def ssm(moto_ssm: str) -> SSMClient:
    return boto3.client("ssm", endpoint_url=moto_ssm, region_name=REGION)


@pytest.fixture(scope="session")
def service_environment(moto_ssm: str, momento_local_session: MomentoLocalServer) -> Iterator[dict[str, str]]:
    """The functions' environment as the template declares it, pointed at the local servers."""
    environment = {
        "SERVICE_NAME": "leaderboard-api",
        "STAGE_NAME": STAGE,
        "MOMENTO_API_KEY_PARAM_NAME": API_KEY_PARAMETER,
        "MOMENTO_CACHE_NAME": CACHE,
        "MOMENTO_ENDPOINT": "",
        "MOMENTO_LOCAL_ADDRESS": momento_local_session.address,
        "LEADERBOARD_TTL_SECONDS": "86400",
        "POWERTOOLS_SERVICE_NAME": "leaderboard-api",
        "POWERTOOLS_METRICS_NAMESPACE": "leaderboard-api",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "AWS_ENDPOINT_URL_SSM": moto_ssm,
    }
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    yield environment
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@dataclass
class Service:
    """The three handler modules, freshly imported (so each test starts cold), and the servers behind them."""

    modules: dict[str, ModuleType]
    momento: MomentoLocalServer
    ssm: SSMClient
    api_key: str = API_KEY

    def invoke(self, module: str, event: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = self.modules[module].lambda_handler(event, LambdaContext(module))
        return response

    def submit(self, board: str, name: str, body: Any, **overrides: Any) -> dict[str, Any]:
        return self.invoke("handlers.submit_score", submit_event(board, name, body, **overrides))

    def standing(self, board: str, name: str) -> dict[str, Any]:
        return self.invoke("handlers.get_standing", standing_event(board, name))

    def page(self, board: str, query: dict[str, str] | None = None) -> dict[str, Any]:
        return self.invoke("handlers.get_leaderboard", page_event(board, query))

    def rotate_key(self, new_key: str) -> None:
        """Puts a new key in SSM and makes Momento accept only it (the old one is revoked)."""
        self.ssm.put_parameter(Name=API_KEY_PARAMETER, Value=new_key, Type="SecureString", Overwrite=True)
        self.momento.set_tokens([new_key])
        self.api_key = new_key


@pytest.fixture
def service(service_environment: dict[str, str], momento_local: MomentoLocalServer, ssm: SSMClient) -> Service:
    return start_service(momento_local, ssm)


def start_service(momento_local: MomentoLocalServer, ssm: SSMClient) -> Service:
    """A cold start of the three functions against the servers, with the key in SSM and accepted by Momento.

    The functions read their environment as it is now: tests change it (monkeypatch) before calling this.
    """
    ssm.put_parameter(Name=API_KEY_PARAMETER, Value=API_KEY, Type="SecureString", Overwrite=True)
    momento_local.set_tokens([API_KEY])
    return Service(modules=fresh_handler_modules(), momento=momento_local, ssm=ssm)


def fresh_handler_modules() -> dict[str, ModuleType]:
    """Imports the handlers anew, with fresh shared state (config, store, SSM cache): a cold start."""
    # Powertools keeps its cold-start flags at module level (one process = one execution environment in Lambda).
    powertools_cold_start.is_cold_start = True
    powertools_logger.is_cold_start = True
    for name in [n for n in sys.modules if n == "shared" or n.startswith(("shared.", "handlers"))]:
        del sys.modules[name]
    return {name: importlib.import_module(name) for name in HANDLERS}


class LambdaContext:
    """What the Lambda runtime passes as `context`, for in-process invocations."""

    def __init__(self, function: str, timeout_ms: int = 10_000) -> None:
        self.function_name = f"leaderboard-api-{STAGE}-{function.rsplit('.', 1)[-1].replace('_', '-')}"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._timeout_ms = timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


def _request_event(template: str, path: str, path_parameters: dict[str, str]) -> dict[str, Any]:
    event = copy.deepcopy(load_event(template))
    event["path"] = path
    event["pathParameters"] = path_parameters
    event["requestContext"]["path"] = f"/{STAGE}{path}"
    event["requestContext"]["requestId"] = str(uuid.uuid4())
    return event


def submit_event(
    board: str,
    name: str,
    body: Any,
    *,
    content_type: str | None = "application/json",
    base64_body: bool = False,
    raw_body: bool = False,
) -> dict[str, Any]:
    """A POST event; `body` is JSON-encoded unless `raw_body` (then sent as the exact string given)."""
    event = _request_event("submit-score.json", f"/{quote(board)}/{quote(name)}", {"leaderboard": board, "name": name})
    text = body if raw_body else json.dumps(body)
    event["body"] = base64.b64encode(text.encode()).decode() if base64_body else text
    event["isBase64Encoded"] = base64_body
    headers = {k: v for k, v in event["headers"].items() if k.lower() != "content-type"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    event["headers"] = headers
    event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    return event


def standing_event(board: str, name: str) -> dict[str, Any]:
    return _request_event("get-standing.json", f"/{quote(board)}/{quote(name)}", {"leaderboard": board, "name": name})


def page_event(board: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    event = _request_event("get-leaderboard.json", f"/{quote(board)}", {"leaderboard": board})
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    return event


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])
