"""The contract suite runs over every transport: handlers in-process, and HTTP through the dev server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import Service
from tests.contract.clients import ApiClient, HttpClient, InProcessClient
from tests.dev_server import DevServerProcess


@pytest.fixture(scope="session")
def api_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The local dev server, started once for the session (free port, no reload)."""
    log_path: Path = tmp_path_factory.mktemp("dev-server") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", log=log)
        yield server.url
        server.stop()


@pytest.fixture(scope="session")
def http_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(params=["in-process", "http"])
def api(request: pytest.FixtureRequest) -> ApiClient:
    if request.param == "in-process":
        service: Service = request.getfixturevalue("service")
        return InProcessClient(service)
    return HttpClient(request.getfixturevalue("api_base_url"), request.getfixturevalue("http_session"))


@pytest.fixture
def board() -> str:
    """A board no other test (or concurrent run) uses."""
    return f"t-{uuid.uuid4().hex[:16]}"
