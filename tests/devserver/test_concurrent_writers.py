"""Concurrent writers of one player through `make dev` (real worker processes): the index always ends equal to
the record, because every writer reads the record back after its put and repairs a put that landed out of order;
and on boards that keep the best or add, the record keeps exactly the best or the sum, every time."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devserver.local_aws import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from tests.support.dev_server import DevServerProcess

KEY = "race-key"
WRITERS = 50
# Rounds of 50 writers at once through real worker processes; the interleavings themselves are explored over the
# fakes by the domain's stateful tests (tests/unit/domain).
ROUNDS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    log_path: Path = tmp_path_factory.mktemp("race") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = DevServerProcess("--no-reload", "--api-key", KEY, log=log)
        yield process
        process.stop()


def test_fifty_concurrent_writes_of_one_player_leave_the_index_equal_to_the_record(server: DevServerProcess) -> None:
    assert server.table_name is not None
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=server.dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    sessions = [requests.Session() for _ in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        for round_ in range(ROUNDS):
            board = f"race-{round_}"
            barrier = Barrier(WRITERS)

            def write(writer: int, board: str = board, barrier: Barrier = barrier, round_: int = round_) -> int:
                barrier.wait()
                response = sessions[writer].post(
                    f"{server.url}/{board}/racer",
                    json={"score": writer * 10 + round_},
                    headers={"x-api-key": KEY},
                    timeout=60,
                )
                return response.status_code

            statuses = list(pool.map(write, range(WRITERS)))
            assert statuses == [202] * WRITERS, statuses
            record = dynamodb.get_item(
                TableName=server.table_name,
                Key={"pk": {"S": f"board#{board}"}, "sk": {"S": "player#racer"}},
                ConsistentRead=True,
            )["Item"]
            assert int(record["version"]["N"]) == WRITERS
            indexed = requests.get(f"{server.url}/{board}/racer", timeout=30).json()
            assert indexed["score"] == float(record["score"]["S"]), f"round {round_}: index and record differ"
    for session in sessions:
        session.close()


def configure(server: DevServerProcess, board: str, settings: dict[str, str]) -> None:
    """PUT /{board}, signed with the local credentials as the default AdminAuth=IAM asks."""
    body = json.dumps(settings).encode()
    request = AWSRequest("PUT", f"{server.url}/{board}", data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), "execute-api", REGION).add_auth(request)
    response = requests.put(f"{server.url}/{board}", data=body, headers=dict(request.headers.items()), timeout=30)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({"update": "best"}, max), ({"update": "best", "order": "asc"}, min), ({"update": "increment"}, sum)],
    ids=["best-desc", "best-asc", "increment"],
)
def test_fifty_concurrent_submissions_keep_exactly_the_best_or_the_sum(
    server: DevServerProcess, settings: dict[str, str], expected: Any
) -> None:
    rng = random.Random(13)
    sessions = [requests.Session() for _ in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        for round_ in range(2):  # 50 at once, twice per rule (the in-process tests add 5 rounds of 8 per rule)
            board = f"{settings['update']}-{settings.get('order', 'desc')}-{round_}"
            configure(server, board, settings)
            scores = [rng.randrange(-10_000, 10_000) for _ in range(WRITERS)]
            barrier = Barrier(WRITERS)

            def write(writer: int, board: str = board, barrier: Barrier = barrier, scores: list[int] = scores) -> int:
                barrier.wait()
                response = sessions[writer].post(
                    f"{server.url}/{board}/racer",
                    json={"score": scores[writer]},
                    headers={"x-api-key": KEY},
                    timeout=60,
                )
                return response.status_code

            assert list(pool.map(write, range(WRITERS))) == [202] * WRITERS
            standing = requests.get(f"{server.url}/{board}/racer", timeout=30).json()
            assert standing["score"] == expected(scores), f"round {round_}"
    for session in sessions:
        session.close()
