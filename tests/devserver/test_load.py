"""Concurrent clients through `make dev`'s server: every accepted write is readable afterwards, and no 5xx."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support.dev_server import DevServerProcess

CLIENTS = 20
WRITES_PER_CLIENT = 24
PLAYERS_PER_CLIENT = 16  # so a client writes half its players twice: the later score replaces the earlier
KEY = "load-test-key"


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("load") / "dev-server.log"


@pytest.fixture(scope="module")
def server(log_path: Path) -> Iterator[DevServerProcess]:
    with log_path.open("w", encoding="utf-8") as log:
        process = DevServerProcess("--no-reload", "--api-key", KEY, log=log)
        yield process
        process.stop()


def test_twenty_clients_writing_and_reading_lose_nothing(server: DevServerProcess, log_path: Path) -> None:
    def client(number: int) -> tuple[dict[str, int], list[int]]:
        rng = random.Random(number)
        accepted: dict[str, int] = {}
        statuses: list[int] = []
        with requests.Session() as session:
            for write in range(WRITES_PER_CLIENT):
                player, score = f"c{number:02d}-p{write % PLAYERS_PER_CLIENT:02d}", rng.randrange(1_000_000)
                response = session.post(
                    f"{server.url}/load/{player}", json={"score": score}, headers={"x-api-key": KEY}, timeout=30
                )
                statuses.append(response.status_code)
                if response.status_code == 202:
                    accepted[player] = score  # a later write of the same player replaces the earlier one
                if write % 4 == 0:
                    statuses.append(session.get(f"{server.url}/load/{player}", timeout=30).status_code)
                    statuses.append(session.get(f"{server.url}/load", timeout=30).status_code)
        return accepted, statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    statuses = [status for _, each in results for status in each]
    failures = [line for line in log_path.read_text(encoding="utf-8").splitlines() if " failed: " in line]
    assert all(status < 500 for status in statuses), (sorted(set(statuses)), failures[:5])
    expected = {player: score for accepted, _ in results for player, score in accepted.items()}
    assert len(expected) == CLIENTS * PLAYERS_PER_CLIENT
    # Every accepted write is on the board with its score: read the whole board back, 100 ranks at a time
    board: dict[str, int] = {}
    for start in range(0, len(expected) + 100, 100):
        page = requests.get(f"{server.url}/load", params={"startRank": start, "endRank": start + 100}, timeout=30)
        board |= {entry["name"]: entry["score"] for entry in page.json()["leaderboard"]}
    assert board == expected
