"""A demo board, written straight into momento-local in the service's storage layout, so paging can be tried at once."""

from __future__ import annotations

import random
from datetime import timedelta

from momento import CacheClient, Configurations, CredentialProvider
from momento.responses import CacheSortedSetPutElements

DEMO_BOARD = "demo"
DEMO_PLAYERS = 5000
BATCH = 1000


def seed_demo_board(address: str, api_key: str, cache_name: str, players: int = DEMO_PLAYERS) -> None:
    host, _, port = address.rpartition(":")
    credentials = CredentialProvider(api_key, host, host, host, int(port))
    rng = random.Random(2026)  # the same board every time  # noqa: S311 - not security-sensitive
    with CacheClient.create(Configurations.Laptop.latest(), credentials, timedelta(days=1)) as client:
        for start in range(0, players, BATCH):
            batch = {
                f"player-{i:04d}": float(rng.randrange(0, 100_000)) for i in range(start, min(players, start + BATCH))
            }
            response = client.sorted_set_put_elements(cache_name, DEMO_BOARD, batch)
            if not isinstance(response, CacheSortedSetPutElements.Success):
                raise RuntimeError(f"could not seed the demo board: {response}")
