"""`make dev` delivers the record's change feed: a score item changed straight in the local DynamoDB, as a write or a
removal that stopped between the record and the index leaves it, shows in the API's reads once the feed settles it
(the table's stream, read about once a second, then the feed's 12 s wait), and not before the wait."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devserver.local_aws import dynamodb_client
from shared.domain.scope import Scope
from shared.stores.dynamodb.codec import first_version, score_key
from tests.support.dev_server import DevServerProcess

KEY = "feed-key"
FEED_WAIT_S = 12  # REINDEX_AFTER_S: no request that made a change can still land a call
BOUND_S = 40  # the wait, a second of polling, the function's cold start, on a busy machine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    log_path: Path = tmp_path_factory.mktemp("feed") / "dev-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = DevServerProcess("--no-reload", "--api-key", KEY, log=log)
        yield process
        process.stop()


def test_a_change_straight_in_the_record_shows_in_reads_after_the_feeds_wait(server: DevServerProcess) -> None:
    assert server.dynamodb_endpoint is not None
    assert server.table_name is not None
    dynamodb = dynamodb_client(server.dynamodb_endpoint)  # the dev server's moto, as a script would reach it
    with requests.Session() as session:
        # Given a board whole in the index
        for name, score in (("ada", 1), ("bob", 2)):
            response = session.post(f"{server.url}/fed/{name}", json={"score": score}, headers={"x-api-key": KEY})
            assert response.status_code == 202

        # When a write stops after its record write (a new player), and a removal after its record delete (ada)
        item = {**score_key(Scope("fed"), "cy"), **first_version(3, int(time.time() * 1000))}
        changed = time.monotonic()
        dynamodb.put_item(TableName=server.table_name, Item=item)
        dynamodb.delete_item(TableName=server.table_name, Key=score_key(Scope("fed"), "ada"))

        # Then the reads show the record's state, not before the feed's wait, and within a bound
        def page() -> list[tuple[str, float]]:
            answer = session.get(f"{server.url}/fed", params={"startRank": "0", "endRank": "10"})
            assert answer.status_code == 200
            return [(entry["name"], entry["score"]) for entry in answer.json()["leaderboard"]]

        while (seen := page()) != [("cy", 3), ("bob", 2)] and (waited := time.monotonic() - changed) < BOUND_S:
            if waited < FEED_WAIT_S - 0.5:
                assert seen == [("bob", 2), ("ada", 1)], (waited, seen)
            time.sleep(0.25)
        assert seen == [("cy", 3), ("bob", 2)]
        assert time.monotonic() - changed >= FEED_WAIT_S - 0.5
        assert session.get(f"{server.url}/fed/ada").status_code == 404
