"""The contract suite runs over every transport: handlers in-process, and HTTP through the dev server.

`make e2e URL=...` runs it over HTTP only, against any deployed copy: LEADERBOARD_API_URL names the stage's base URL
and E2E=1 leaves out the in-process runs. Without a URL the end-to-end runs are skipped, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.credentials import Credentials

from devserver.local_aws import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from tests.support.api_client import ApiClient, HttpClient, HttpTarget, InProcessClient
from tests.support.dev_server import DevServerProcess
from tests.support.service import Service

RUN_ID = uuid.uuid4().hex[:8]  # one per test run, in every board name: concurrent runs never share a board
END_TO_END_ONLY = os.environ.get("E2E") == "1"
DEPLOYED_URL = os.environ.get("LEADERBOARD_API_URL", "").strip()
LOCAL_API_KEY = "contract-suite-key"
EXAMPLE_URL = "https://<api-id>.execute-api.<region>.amazonaws.com/<stage>"


@pytest.fixture(scope="session")
def http_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpTarget]:
    """A deployed stage when given; otherwise the local dev server, started once (free port, no reload).

    A deployed stage's writers need what its WriteAuth asks: LEADERBOARD_API_KEY (API_KEY), or
    LEADERBOARD_WRITE_AUTH=IAM to sign writes with the caller's AWS credentials.
    """
    if END_TO_END_ONLY:
        if not DEPLOYED_URL:
            pytest.skip(f"LEADERBOARD_API_URL is not set: run `make e2e URL={EXAMPLE_URL}`")
        yield HttpTarget(
            DEPLOYED_URL,
            api_key=os.environ.get("LEADERBOARD_API_KEY") or None,
            sign_writes=os.environ.get("LEADERBOARD_WRITE_AUTH") == "IAM",
            admin_key=os.environ.get("LEADERBOARD_ADMIN_KEY") or None,
        )
        return
    log_path: Path = tmp_path_factory.mktemp("dev-server") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--api-key", LOCAL_API_KEY, log=log)
        local = Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)  # what the dev server checks SigV4 against
        yield HttpTarget(server.url, api_key=LOCAL_API_KEY, admin_credentials=local)
        server.stop()


@pytest.fixture(scope="session")
def http_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(params=["in-process", "http"])
def api(request: pytest.FixtureRequest) -> ApiClient:
    if request.param == "in-process":
        if END_TO_END_ONLY:
            pytest.skip("in-process runs belong to `make test`; `make e2e` runs over HTTP only")
        service: Service = request.getfixturevalue("service")
        return InProcessClient(service)
    return HttpClient(request.getfixturevalue("http_target"), request.getfixturevalue("http_session"))


@pytest.fixture
def board() -> str:
    """A board no other test, and no concurrent run, uses. The API v1 deletes nothing: boards expire with the TTL."""
    return f"e2e-{RUN_ID}-{uuid.uuid4().hex[:12]}"
