"""Pytest fixtures: a momento-local server started in-process on a free port.

Enable with `pytest_plugins = ["momento_local.pytest_plugin"]` in a conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from momento_local.server import LOCAL_TOKEN, MomentoLocalServer
from momento_local.store import DEFAULT_MAX_ITEM_SIZE_BYTES

DEFAULT_CACHE = "leaderboard"


@pytest.fixture(scope="session")
def momento_local_session() -> Iterator[MomentoLocalServer]:
    """One server for the whole test session (starting one costs ~10 ms, but clients reconnecting costs more)."""
    with MomentoLocalServer(host="127.0.0.1", port=0, caches=[DEFAULT_CACHE]) as server:
        yield server


@pytest.fixture
def momento_local(momento_local_session: MomentoLocalServer) -> Iterator[MomentoLocalServer]:
    """The shared server, reset to defaults around each test: no faults, an empty meter and no limit, the local
    token, the 5 MB cap, no data."""
    server = momento_local_session
    _reset(server)
    yield server
    _reset(server)


def _reset(server: MomentoLocalServer) -> None:
    server.faults.clear()
    server.reset_calls()
    server.meter.reset()
    server.meter.ops_per_second = None
    server.set_tokens([LOCAL_TOKEN])
    server.store.max_item_size_bytes = DEFAULT_MAX_ITEM_SIZE_BYTES
    for name in server.store.cache_names():
        server.store.delete_cache(name)
    server.store.create_cache(DEFAULT_CACHE)
