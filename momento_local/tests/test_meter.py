"""The meter counts operations as Momento publishes them; the optional limit answers Momento's rate-limit error.

Worked examples by hand from https://docs.momentohq.com/cache/manage/operations (usage: 1024-byte chunks of each
item or element transferred, at least 1 per call) and https://docs.momentohq.com/cache/limits (limiter: two elements
per operation for multi-element APIs, 100 operations per second by default).
"""

from __future__ import annotations

import os
import signal
import time

from momento import CacheClient
from momento.errors import MomentoErrorCode
from momento.responses import (
    CacheGet,
    CacheSet,
    CacheSortedSetFetch,
    CacheSortedSetPutElement,
    CacheSortedSetPutElements,
)

from momento_local import MomentoLocalServer
from momento_local.meter import Meter
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE
from momento_local.tests.test_cli import READY, start

RATE_LIMIT_MESSAGE = "Request rate limit exceeded for this account"


def put_many(client: CacheClient, count: int, name: str = "board") -> None:
    elements = {f"member-{i:04d}": float(i) for i in range(count)}
    assert isinstance(client.sorted_set_put_elements(CACHE, name, elements), CacheSortedSetPutElements.Success)


def test_a_single_put_of_a_small_element_is_one_operation(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    # one element of 3 + 8 bytes: one chunk
    assert isinstance(client.sorted_set_put_element(CACHE, "board", "ann", 42.0), CacheSortedSetPutElement.Success)
    snapshot = momento_local.meter.snapshot()
    assert snapshot.operations("sorted-set-put") == 1
    assert snapshot.per_rpc["sorted-set-put"].requests == 1
    assert snapshot.per_rpc["sorted-set-put"].limit_operations == 1


def test_a_put_of_500_small_elements_is_500_operations(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    # 500 elements of 11 + 8 bytes, one chunk each; against the limiter two elements make one operation
    put_many(client, 500)
    usage = momento_local.meter.snapshot().per_rpc["sorted-set-put"]
    assert (usage.requests, usage.operations, usage.limit_operations) == (1, 500, 250)


def test_a_fetch_of_20_small_elements_is_20_operations(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    put_many(client, 100)
    momento_local.meter.reset()
    fetched = client.sorted_set_fetch_by_rank(CACHE, "board", start_rank=0, end_rank=20)
    assert isinstance(fetched, CacheSortedSetFetch.Hit)
    assert len(fetched.value_list_string) == 20
    usage = momento_local.meter.snapshot().per_rpc["sorted-set-fetch"]
    assert (usage.requests, usage.operations, usage.limit_operations) == (1, 20, 10)


def test_a_fetch_of_a_missing_set_is_one_operation(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "nothing"), CacheSortedSetFetch.Miss)
    usage = momento_local.meter.snapshot().per_rpc["sorted-set-fetch"]
    assert (usage.operations, usage.limit_operations) == (1, 1)


def test_a_get_of_a_3000_byte_value_is_three_operations(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    assert isinstance(client.set(CACHE, "k", b"x" * 3000), CacheSet.Success)  # 1 + 3000 bytes: 3 chunks
    got = client.get(CACHE, "k")
    assert isinstance(got, CacheGet.Hit)
    snapshot = momento_local.meter.snapshot()
    assert snapshot.operations("get") == 3  # ceil(3000 / 1024)
    assert snapshot.operations("set") == 3
    assert snapshot.operations() == 6
    assert snapshot.total.limit_operations == 2  # Get and Set are one operation each against the limiter


def test_a_miss_still_costs_one_operation(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    assert isinstance(client.get(CACHE, "absent"), CacheGet.Miss)
    assert momento_local.meter.snapshot().operations("get") == 1


def test_reset_zeroes_the_totals(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    put_many(client, 3)
    assert momento_local.meter.snapshot().operations() == 3
    momento_local.meter.reset()
    assert momento_local.meter.snapshot().operations() == 0
    assert momento_local.meter.snapshot().per_rpc == {}


def test_the_control_plane_is_not_metered(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    client.create_cache("another")
    client.list_caches()
    assert momento_local.meter.snapshot().per_rpc == {}


def test_over_the_limit_a_put_of_500_elements_is_refused_undone(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    momento_local.meter.ops_per_second = 100
    elements = {f"member-{i:04d}": float(i) for i in range(500)}  # 250 operations against the limiter
    response = client.sorted_set_put_elements(CACHE, "board", elements)
    assert isinstance(response, CacheSortedSetPutElements.Error)
    assert response.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR
    assert RATE_LIMIT_MESSAGE in response.message
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Miss)  # nothing written
    usage = momento_local.meter.snapshot().per_rpc["sorted-set-put"]
    assert (usage.requests, usage.operations, usage.throttled) == (0, 0, 1)


def test_100_single_puts_in_a_second_pass_and_the_101st_is_refused(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    momento_local.meter.ops_per_second = 100
    started = time.monotonic()
    for i in range(100):
        response = client.sorted_set_put_element(CACHE, "board", f"m{i}", float(i))
        assert isinstance(response, CacheSortedSetPutElement.Success), response
    refused = client.sorted_set_put_element(CACHE, "board", "m100", 100.0)
    assert time.monotonic() - started < 1.0, "too slow to test a one-second window"
    assert isinstance(refused, CacheSortedSetPutElement.Error)
    assert refused.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR
    assert RATE_LIMIT_MESSAGE in refused.message
    usage = momento_local.meter.snapshot().per_rpc["sorted-set-put"]
    assert (usage.requests, usage.operations, usage.throttled) == (100, 100, 1)


def test_the_window_slides() -> None:
    now = [0.0]
    meter = Meter(ops_per_second=2, clock=lambda: now[0])

    class Put:
        elements = (object(),)

    assert meter.admit("sorted-set-put", Put()) == 1
    now[0] = 0.5
    assert meter.admit("sorted-set-put", Put()) == 1
    assert meter.admit("sorted-set-put", Put()) is None  # 2 in (-0.5, 0.5]
    now[0] = 1.0
    assert meter.admit("sorted-set-put", Put()) == 1  # the one at 0.0 has left the window
    assert meter.admit("sorted-set-put", Put()) is None
    assert meter.snapshot().per_rpc["sorted-set-put"].throttled == 2


def test_the_cli_prints_the_meter_on_sigusr1() -> None:
    process = start("--port", "0", "--cache", "leaderboard", "--ops-per-second", "100")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert READY.search(line), line
        assert "limit: 100 operations/s" in line
        os.kill(process.pid, signal.SIGUSR1)
        assert process.stdout.readline().strip() == "momento-local meter:"
        assert process.stdout.readline().split() == ["rpc", "requests", "operations", "limit-ops", "throttled"]
        assert process.stdout.readline().split() == ["total", "0", "0", "0", "0"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
