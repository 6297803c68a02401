"""UpdateTtl and ItemGetTtl on sorted sets and scalars: reading and changing a TTL without rewriting the item.

SDK 1.29 has no method for these RPCs (no update_ttl, increase_ttl, decrease_ttl or item_get_ttl), so the calls go
through the SDK's own generated stub; the items are written and read back through the real SDK.
"""

from __future__ import annotations

import time
from datetime import timedelta

import grpc
import pytest
from momento import CacheClient
from momento.requests import CollectionTtl
from momento.responses import CacheGet, CacheSortedSetFetch
from momento_wire_types import cacheclient_pb2 as pb
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc

from momento_local import MomentoLocalServer
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE

WITH_CACHE = (("authorization", ""), ("cache", CACHE))
MINUTE_MS = 60_000


def update_ttl(stub: pb_grpc.ScsStub, key: str, **change: int) -> str:
    """`set`, `not_set` or `missing`: which case of the result the server answered."""
    response = stub.UpdateTtl(pb._UpdateTtlRequest(cache_key=key.encode(), **change), metadata=WITH_CACHE)
    return str(response.WhichOneof("result"))


def remaining_ms(stub: pb_grpc.ScsStub, key: str) -> int | None:
    response = stub.ItemGetTtl(pb._ItemGetTtlRequest(cache_key=key.encode()), metadata=WITH_CACHE)
    if response.WhichOneof("result") == "missing":
        return None
    return int(response.found.remaining_ttl_millis)


def ttl_of(stub: pb_grpc.ScsStub, key: str) -> int:
    remaining = remaining_ms(stub, key)
    assert remaining is not None, f"{key} is missing"
    return remaining


@pytest.fixture
def board(client: CacheClient) -> str:
    """A sorted set living 10 minutes, as a board is written."""
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(timedelta(minutes=10)))
    return "board"


@pytest.fixture
def scalar(client: CacheClient) -> str:
    client.set(CACHE, "lock", "owner-1", timedelta(minutes=10))
    return "lock"


@pytest.mark.parametrize("item", ["board", "scalar"])
def test_item_get_ttl_reports_the_remaining_ttl(
    stub: pb_grpc.ScsStub, item: str, request: pytest.FixtureRequest
) -> None:
    key = request.getfixturevalue(item)
    assert 10 * MINUTE_MS - 1_000 < ttl_of(stub, key) <= 10 * MINUTE_MS


@pytest.mark.parametrize("item", ["board", "scalar"])
def test_overwrite_sets_the_ttl_exactly_and_keeps_the_value(
    client: CacheClient, stub: pb_grpc.ScsStub, item: str, request: pytest.FixtureRequest
) -> None:
    key = request.getfixturevalue(item)
    # Both ways: longer, then shorter than it was
    assert update_ttl(stub, key, overwrite_to_milliseconds=60 * MINUTE_MS) == "set"
    assert 59 * MINUTE_MS < ttl_of(stub, key) <= 60 * MINUTE_MS
    assert update_ttl(stub, key, overwrite_to_milliseconds=MINUTE_MS) == "set"
    assert 59_000 < ttl_of(stub, key) <= MINUTE_MS
    if item == "board":
        fetched = client.sorted_set_fetch_by_rank(CACHE, key)
        assert isinstance(fetched, CacheSortedSetFetch.Hit)
        assert fetched.value_list_string == [("ann", 1.0)]
    else:
        got = client.get(CACHE, key)
        assert isinstance(got, CacheGet.Hit)
        assert got.value_string == "owner-1"


@pytest.mark.parametrize("item", ["board", "scalar"])
def test_increase_only_lengthens_and_decrease_only_shortens(
    stub: pb_grpc.ScsStub, item: str, request: pytest.FixtureRequest
) -> None:
    key = request.getfixturevalue(item)
    # An increase to less than the 10 minutes left is not set, and the TTL stays
    assert update_ttl(stub, key, increase_to_milliseconds=5 * MINUTE_MS) == "not_set"
    assert ttl_of(stub, key) > 9 * MINUTE_MS
    # An increase past it is
    assert update_ttl(stub, key, increase_to_milliseconds=60 * MINUTE_MS) == "set"
    assert ttl_of(stub, key) > 59 * MINUTE_MS
    # A decrease to more than what is left is not set; to less, it is
    assert update_ttl(stub, key, decrease_to_milliseconds=90 * MINUTE_MS) == "not_set"
    assert update_ttl(stub, key, decrease_to_milliseconds=MINUTE_MS) == "set"
    assert ttl_of(stub, key) <= MINUTE_MS


def test_missing_items_are_missing(stub: pb_grpc.ScsStub) -> None:
    for change in ("overwrite_to_milliseconds", "increase_to_milliseconds", "decrease_to_milliseconds"):
        assert update_ttl(stub, "nothing", **{change: MINUTE_MS}) == "missing"
    assert remaining_ms(stub, "nothing") is None


def test_an_item_expires_after_a_ttl_updated_to_short(
    client: CacheClient, stub: pb_grpc.ScsStub, board: str, scalar: str, momento_local: MomentoLocalServer
) -> None:
    # Given a board and a lock with 10 minutes to live, both shortened to 150 ms
    assert update_ttl(stub, board, overwrite_to_milliseconds=150) == "set"
    assert update_ttl(stub, scalar, decrease_to_milliseconds=150) == "set"
    assert 0 < ttl_of(stub, board) <= 150
    # When that passes
    time.sleep(0.2)
    # Then both are gone: swept, read as missing, and their TTL can no longer change
    momento_local.store.sweep_expired()  # the server's own sweeper (every second) may have been first: either way
    assert not {board.encode(), scalar.encode()} & momento_local.store.keys_held(CACHE)
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, board), CacheSortedSetFetch.Miss)
    assert isinstance(client.get(CACHE, scalar), CacheGet.Miss)
    assert update_ttl(stub, board, increase_to_milliseconds=MINUTE_MS) == "missing"
    assert remaining_ms(stub, scalar) is None


def test_a_collection_write_after_update_ttl_follows_collection_ttl_rules(
    client: CacheClient, stub: pb_grpc.ScsStub, board: str
) -> None:
    assert update_ttl(stub, board, increase_to_milliseconds=60 * MINUTE_MS) == "set"
    client.sorted_set_put_element(CACHE, board, "bob", 2.0, ttl=CollectionTtl(timedelta(minutes=1), refresh_ttl=False))
    assert ttl_of(stub, board) > 59 * MINUTE_MS  # kept without refresh
    client.sorted_set_put_element(CACHE, board, "cyd", 3.0, ttl=CollectionTtl.of(timedelta(minutes=1)))
    assert ttl_of(stub, board) <= MINUTE_MS  # replaced with refresh


def test_malformed_ttl_updates_are_invalid_argument(stub: pb_grpc.ScsStub, board: str) -> None:
    for request in (
        pb._UpdateTtlRequest(cache_key=board.encode()),
        pb._UpdateTtlRequest(cache_key=board.encode(), overwrite_to_milliseconds=0),
    ):
        with pytest.raises(grpc.RpcError) as raised:
            stub.UpdateTtl(request, metadata=WITH_CACHE)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_an_item_written_without_a_ttl_reports_the_largest_ttl(stub: pb_grpc.ScsStub) -> None:
    stub.Set(pb._SetRequest(cache_key=b"forever", cache_body=b"v"), metadata=WITH_CACHE)
    assert remaining_ms(stub, "forever") == 2**64 - 1
    assert update_ttl(stub, "forever", increase_to_milliseconds=MINUTE_MS) == "not_set"
    assert update_ttl(stub, "forever", decrease_to_milliseconds=MINUTE_MS) == "set"


def test_ttl_calls_need_auth_and_an_existing_cache(stub: pb_grpc.ScsStub) -> None:
    request = pb._ItemGetTtlRequest(cache_key=b"k")
    with pytest.raises(grpc.RpcError) as raised:
        stub.ItemGetTtl(request, metadata=(("cache", CACHE),))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateTtl(
            pb._UpdateTtlRequest(cache_key=b"k", overwrite_to_milliseconds=1),
            metadata=(("authorization", ""), ("cache", "no-such-cache")),
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
