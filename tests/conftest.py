"""Shared fixtures: moto's server over real HTTP (SSM, and DynamoDB holding the record), the service's environment,
the service in-process, and a switchable proxy in front of DynamoDB for fault tests.

Every test that uses the service's environment starts with an empty record, as `momento_local` gives it empty
caches. Helpers live in tests/support; this file holds fixtures, and the order in which files start."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
import pytest
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_ssm import SSMClient

from devserver.local_aws import REGION
from devserver.local_aws_server import LocalAwsServer
from devserver.tables import recreate_table
from momento_local import MomentoLocalServer
from tests.support.record import leaderboard_table_spec
from tests.support.service import API_KEY_PARAMETER, CACHE, Service, start_service
from tests.support.switchable_proxy import SwitchableProxy

# The files that take longest (each 30 s to 90 s), started first: `make test` runs files side by side (pytest-xdist,
# a file whole on one worker), and one of them started last would leave the other cores idle while it runs. Measured
# with `pytest --junitxml`; a file missing here only costs time, never a test.
SLOWEST_FILES = (
    "tests/bench/test_bench_smoke.py",
    "tests/browser/test_board_page.py",
    "tests/devserver/test_concurrent_writers.py",
    "tests/devserver/test_load.py",
    "tests/contract/test_read_caching.py",
    "tests/openapi/test_fuzz.py",
    "tests/devserver/test_lifecycle.py",
    "tests/integration/test_durable_boards.py",
    "tests/integration/test_backfill.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: index for index, path in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


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
def moto_server() -> Iterator[str]:
    """moto's server on a free port; yields its endpoint URL. It is SSM and DynamoDB, reached over real HTTP."""
    server = LocalAwsServer().start()
    yield server.endpoint
    server.stop()


@pytest.fixture(scope="session")
def moto_ssm(moto_server: str) -> str:
    """SSM's endpoint: moto's server."""
    return moto_server


@pytest.fixture
def ssm(moto_ssm: str) -> SSMClient:
    return boto3.client("ssm", endpoint_url=moto_ssm, region_name=REGION)


@pytest.fixture
def dynamodb(moto_server: str) -> DynamoDBClient:
    """A client of moto's DynamoDB, never through a proxy: what a test reads the record with."""
    return boto3.client("dynamodb", endpoint_url=moto_server, region_name=REGION)


@pytest.fixture
def leaderboard_table(dynamodb: DynamoDBClient) -> str:
    """The record's table, created empty from the template's definition; yields its name."""
    table = leaderboard_table_spec()
    recreate_table(dynamodb, table)
    return table.name


@pytest.fixture(autouse=True)
def _empty_record(request: pytest.FixtureRequest) -> None:
    """Each test that runs the functions (through the service's environment) starts with an empty record, whether
    it uses `service` or starts the functions itself; tests that never touch AWS start no moto for it."""
    if "service_environment" in request.fixturenames:
        request.getfixturevalue("leaderboard_table")


@pytest.fixture(scope="session")
def service_environment(moto_server: str, momento_local_session: MomentoLocalServer) -> Iterator[dict[str, str]]:
    """The functions' environment as the template declares it, pointed at the local servers."""
    environment = {
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
        "AWS_ENDPOINT_URL_SSM": moto_server,
        "AWS_ENDPOINT_URL_DYNAMODB": moto_server,
        "LEADERBOARD_TABLE_NAME": leaderboard_table_spec().name,
        "BOARD_RETENTION_DAYS": "0",
        "REBUILD_ELEMENTS_PER_SECOND": "0",
        # Tests read their own writes at once; tests/*/test_read_caching.py turn the page cache on.
        "READ_CACHE_SECONDS": "0",
        # momento-local runs in the test's own process here, sharing its interpreter, and `make test` runs files on
        # every core: 1.1 s can pass on a busy machine. The deadline's own test sets the template's default.
        "MOMENTO_TIMEOUT_MS": "2000",
    }
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    yield environment
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def service(  # noqa: PLR0917 - pytest passes fixtures by name
    service_environment: dict[str, str],
    momento_local: MomentoLocalServer,
    ssm: SSMClient,
    dynamodb: DynamoDBClient,
    leaderboard_table: str,  # empty, also when a test asks for the service only at run time (the contract suite)
    request: pytest.FixtureRequest,
) -> Service:
    if "dynamodb_proxy" in request.fixturenames:
        # The functions read their DynamoDB endpoint at their cold start: the proxy must be in place before it.
        request.getfixturevalue("dynamodb_proxy")
    return start_service(momento_local, ssm, dynamodb)


@pytest.fixture
def dynamodb_proxy(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SwitchableProxy]:
    """The functions reach DynamoDB through a proxy the test switches: `up = False` drops every connection,
    `answer_with(PROVISIONED_THROUGHPUT_EXCEEDED or THROTTLING)` answers every request with that error (counted in
    `answered`). Functions started after it use it (the `service` fixture waits for it); `dynamodb` stays direct."""
    target = urlsplit(moto_server)
    with SwitchableProxy(target.hostname or "127.0.0.1", target.port or 0) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
        yield proxy
