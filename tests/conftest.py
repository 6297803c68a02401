"""Shared fixtures: moto's SSM server over real HTTP, the service's environment, the service in-process.

Helpers live in tests/support; this file holds fixtures only."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_ssm import SSMClient

from devserver.local_aws import REGION
from momento_local import MomentoLocalServer
from tests.support.service import API_KEY_PARAMETER, CACHE, Service, start_service

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


@pytest.fixture
def service(service_environment: dict[str, str], momento_local: MomentoLocalServer, ssm: SSMClient) -> Service:
    return start_service(momento_local, ssm)
