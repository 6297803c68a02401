"""The API's functions in-process, freshly imported (a cold start), against momento-local and moto's server (SSM,
and DynamoDB for the record)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from aws_lambda_powertools.logging import logger as powertools_logger
from aws_lambda_powertools.metrics.provider import cold_start as powertools_cold_start
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_ssm import SSMClient

from devserver.local_aws import dynamodb_client
from momento_local import MomentoLocalServer
from tests.support.lambda_fakes import STAGE, lambda_context, page_event, standing_event, submit_event
from tests.support.record import leaderboard_table_spec
from tests.support.template import handlers, route

API_KEY_PARAMETER = f"/leaderboard-api/{STAGE}/momento-api-key"
API_KEY = "test-momento-key-1"
CACHE = "leaderboard"
# The module of every function template.yaml declares (handlers.submit_score, ...), routed or scheduled.
HANDLERS = tuple(sorted({handler.rsplit(".", 1)[0] for handler in handlers().values()}))


@dataclass
class Service:
    """The handler modules, freshly imported (so each test starts cold), and the servers behind them. `dynamodb`
    reaches moto directly (never through a test's proxy), so a test can always read the record in `table_name`."""

    modules: Functions
    momento: MomentoLocalServer
    ssm: SSMClient
    dynamodb: DynamoDBClient
    table_name: str
    api_key: str = API_KEY
    cache: str = CACHE

    def invoke(self, module: str, event: dict[str, Any]) -> dict[str, Any]:
        context = lambda_context(f"leaderboard-api-{STAGE}-{module.rsplit('.', 1)[-1].replace('_', '-')}")
        response: dict[str, Any] = self.modules[module].lambda_handler(event, context)
        return response

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """An API Gateway event, handed to the function template.yaml routes its method and resource to."""
        return self.invoke(route(event["httpMethod"], event["resource"]).module, event)

    def submit(self, board: str, name: str, body: Any, **overrides: Any) -> dict[str, Any]:
        return self.handle(submit_event(board, name, body, **overrides))

    def standing(self, board: str, name: str) -> dict[str, Any]:
        return self.handle(standing_event(board, name))

    def page(self, board: str, query: dict[str, str] | None = None) -> dict[str, Any]:
        return self.handle(page_event(board, query))

    def cold_start(self) -> None:
        """Every function starts again, as new execution environments would (their inits run now)."""
        self.modules = fresh_handler_modules()

    def rotate_key(self, new_key: str) -> None:
        """Puts a new key in SSM and makes Momento accept only it (the old one is revoked)."""
        self.ssm.put_parameter(Name=API_KEY_PARAMETER, Value=new_key, Type="SecureString", Overwrite=True)
        self.momento.set_tokens([new_key])
        self.api_key = new_key


def start_service(momento_local: MomentoLocalServer, ssm: SSMClient, dynamodb: DynamoDBClient | None = None) -> Service:
    """A cold start of the functions against the servers, with the key in SSM and accepted by Momento.

    The functions read their environment as it is now: tests change it (monkeypatch) before calling this. The
    record's table must exist (the conftest empties it before each test that uses the service's environment);
    `dynamodb` defaults to a client of the moto server `ssm` talks to, which serves both.
    """
    ssm.put_parameter(Name=API_KEY_PARAMETER, Value=API_KEY, Type="SecureString", Overwrite=True)
    momento_local.set_tokens([API_KEY])
    return Service(
        modules=fresh_handler_modules(),
        momento=momento_local,
        ssm=ssm,
        dynamodb=dynamodb or dynamodb_client(ssm.meta.endpoint_url),
        table_name=leaderboard_table_spec().name,
    )


class Functions(Mapping[str, ModuleType]):
    """The functions' handler modules, each imported (its execution environment's init) at its first use, as Lambda
    starts a function's environment at its first request: a test pays only for the functions it calls."""

    def __init__(self) -> None:
        self._started: dict[str, ModuleType] = {}

    def __getitem__(self, name: str) -> ModuleType:
        if name not in HANDLERS:
            raise KeyError(name)
        if name not in self._started:
            self._started[name] = importlib.import_module(name)
        return self._started[name]

    def __iter__(self) -> Iterator[str]:
        return iter(HANDLERS)

    def __len__(self) -> int:
        return len(HANDLERS)

    def shut_down(self) -> None:
        """The environments started so far shut down: their Momento connections close."""
        for module in self._started.values():
            service = getattr(module, "SERVICE", None)
            if service is not None:
                service.index.close()


_running: list[Functions] = []  # the functions of the last cold start, which the next one replaces


def fresh_handler_modules() -> Functions:
    """A cold start of every function: fresh shared state (config, stores, SSM cache), each function's module
    imported anew at its first use; the functions of the previous cold start shut down."""
    while _running:
        _running.pop().shut_down()
    # Powertools keeps its cold-start flags at module level (one process = one execution environment in Lambda).
    powertools_cold_start.is_cold_start = True
    powertools_logger.is_cold_start = True
    for name in [n for n in sys.modules if n == "shared" or n.startswith(("shared.", "handlers"))]:
        del sys.modules[name]
    _running.append(Functions())
    return _running[-1]


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])
