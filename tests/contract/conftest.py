"""The contract suite runs over every transport: handlers in-process, and HTTP through the dev server.

`make e2e URL=...` runs it over HTTP only, against any deployed copy: LEADERBOARD_API_URL names the stage's base URL
and E2E=1 leaves out the in-process runs. Without a URL the end-to-end runs are skipped, saying why.

`make sam-test` (SAM_LOCAL=1) runs it over HTTP only too, against `sam local start-api` started for the run: what
SAM does differently from API Gateway is marked where a test meets it (`sam_local_differs`), an expected failure
with its reason; where no container engine can run, the runs are skipped with the reason sam_local gives.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.credentials import Credentials

from devserver.local_aws import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from tests.support.api_client import ApiClient, HttpClient, HttpTarget, InProcessClient
from tests.support.dev_server import DevServerProcess
from tests.support.sam_local import wait_until_answering
from tests.support.service import Service

RUN_ID = uuid.uuid4().hex[:8]  # one per test run, in every board name: concurrent runs never share a board
END_TO_END_ONLY = os.environ.get("E2E") == "1"
DEPLOYED_URL = os.environ.get("LEADERBOARD_API_URL", "").strip()
LOCAL_API_KEY = "contract-suite-key"
EXAMPLE_URL = "https://<api-id>.execute-api.<region>.amazonaws.com/<stage>"
SAM_LOCAL = os.environ.get("SAM_LOCAL") == "1"
# Local runs keep no pages, so the suite reads its writes at once (tests/contract/test_read_caching.py runs with the
# cache on). Against a deployed stage, which keeps them, the HTTP client waits a page's max-age after a write.
NO_READ_CACHE = ("--parameter-overrides", "ReadCacheSeconds=0")


def sam_local_differs(reason: str) -> pytest.MarkDecorator:
    """A difference of `sam local start-api` from API Gateway: under `make sam-test` the test is expected to fail,
    for this reason (strict: a test that starts passing there says the difference is gone)."""
    return pytest.mark.xfail(SAM_LOCAL, reason=f"sam local: {reason}", strict=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _sam_local(work_dir: Path, log_path: Path) -> Iterator[str]:
    """`python -m devserver.sam_local start-api` on a free port until the session ends; yields its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devserver.sam_local",
                "--work-dir",
                str(work_dir),
                "start-api",
                "--port",
                str(port),
                *NO_READ_CACHE,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_answering(process, url, log_path)
            yield url
        finally:
            # SIGTERM to it alone: it stops SAM CLI with SIGINT (on which SAM removes its warm containers; SIGTERM
            # would leave them running), then the local services and podman's API
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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
    if SAM_LOCAL:
        work_dir = tmp_path_factory.mktemp("sam-local")
        for url in _sam_local(work_dir, work_dir / "sam-local.log"):
            # sam local checks neither keys nor signatures; sending them as to API Gateway changes nothing there
            yield HttpTarget(
                url, api_key=LOCAL_API_KEY, admin_credentials=Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
            )
        return
    log_path: Path = tmp_path_factory.mktemp("dev-server") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = DevServerProcess("--no-reload", "--api-key", LOCAL_API_KEY, *NO_READ_CACHE, log=log)
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
        if END_TO_END_ONLY or SAM_LOCAL:
            pytest.skip("in-process runs belong to `make test`; `make e2e` and `make sam-test` run over HTTP only")
        service: Service = request.getfixturevalue("service")
        return InProcessClient(service)
    return HttpClient(request.getfixturevalue("http_target"), request.getfixturevalue("http_session"))


@pytest.fixture
def board() -> str:
    """A board no other test, and no concurrent run, uses. The API v1 deletes nothing: boards expire with the TTL."""
    return f"e2e-{RUN_ID}-{uuid.uuid4().hex[:12]}"
