"""Scalar items (get, set, set_if_not_exists, delete) and a lock built on them, through the real sync and async SDK.

SetIf, which SDK 1.29 has no method for (no set_if_absent, set_if_equal, ...), goes through the SDK's generated stub.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import grpc
import pytest
from momento import CacheClient, CacheClientAsync
from momento.errors import MomentoErrorCode
from momento.responses import (
    CacheDelete,
    CacheGet,
    CacheSet,
    CacheSetIfNotExists,
    CacheSortedSetFetch,
    CacheSortedSetPutElement,
)
from momento_wire_types import cacheclient_pb2 as pb
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc
from momento_wire_types import common_pb2 as common

from momento_local import MomentoLocalServer
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE

LOCK = "lock:weekly"
LOCK_TTL = timedelta(seconds=30)
WITH_CACHE = (("authorization", ""), ("cache", CACHE))


def test_set_get_replace_and_delete(client: CacheClient) -> None:
    assert isinstance(client.get(CACHE, "k"), CacheGet.Miss)
    assert isinstance(client.set(CACHE, "k", "one"), CacheSet.Success)
    got = client.get(CACHE, "k")
    assert isinstance(got, CacheGet.Hit)
    assert got.value_string == "one"
    client.set(CACHE, "k", b"\x00two")
    got = client.get(CACHE, "k")
    assert isinstance(got, CacheGet.Hit)
    assert got.value_bytes == b"\x00two"
    assert isinstance(client.delete(CACHE, "k"), CacheDelete.Success)
    assert isinstance(client.get(CACHE, "k"), CacheGet.Miss)
    assert isinstance(client.delete(CACHE, "k"), CacheDelete.Success)


def test_set_if_not_exists_stores_once_and_leaves_the_first_value(client: CacheClient) -> None:
    assert isinstance(client.set_if_not_exists(CACHE, LOCK, "owner-1", LOCK_TTL), CacheSetIfNotExists.Stored)
    assert isinstance(client.set_if_not_exists(CACHE, LOCK, "owner-2", LOCK_TTL), CacheSetIfNotExists.NotStored)
    got = client.get(CACHE, LOCK)
    assert isinstance(got, CacheGet.Hit)
    assert got.value_string == "owner-1"
    # Releasing the lock (a delete) lets the next caller take it
    client.delete(CACHE, LOCK)
    assert isinstance(client.set_if_not_exists(CACHE, LOCK, "owner-2", LOCK_TTL), CacheSetIfNotExists.Stored)


def test_exactly_one_of_many_racing_threads_takes_the_lock(client: CacheClient) -> None:
    # Given 16 threads released at the same instant, each trying to take the same lock
    start = threading.Barrier(16)

    def contend(n: int) -> bool:
        start.wait()
        response = client.set_if_not_exists(CACHE, LOCK, f"owner-{n}", LOCK_TTL)
        assert isinstance(response, CacheSetIfNotExists.Stored | CacheSetIfNotExists.NotStored), response
        return isinstance(response, CacheSetIfNotExists.Stored)

    with ThreadPoolExecutor(max_workers=16) as pool:
        won = list(pool.map(contend, range(16)))
    # Then exactly one won, and the lock holds the winner's value
    assert won.count(True) == 1
    got = client.get(CACHE, LOCK)
    assert isinstance(got, CacheGet.Hit)
    assert got.value_string == f"owner-{won.index(True)}"


async def test_exactly_one_of_many_async_callers_takes_the_lock(async_client: CacheClientAsync) -> None:
    responses = await asyncio.gather(
        *(async_client.set_if_not_exists(CACHE, LOCK, f"owner-{n}", LOCK_TTL) for n in range(20))
    )
    assert [type(r) for r in responses].count(CacheSetIfNotExists.Stored) == 1
    assert [type(r) for r in responses].count(CacheSetIfNotExists.NotStored) == 19
    winner = next(n for n, r in enumerate(responses) if isinstance(r, CacheSetIfNotExists.Stored))
    got = await async_client.get(CACHE, LOCK)
    assert isinstance(got, CacheGet.Hit)
    assert got.value_string == f"owner-{winner}"
    assert isinstance(await async_client.delete(CACHE, LOCK), CacheDelete.Success)
    assert isinstance(await async_client.get(CACHE, LOCK), CacheGet.Miss)


def test_an_expired_lock_can_be_taken_by_another_caller(client: CacheClient) -> None:
    # Given a lock taken for 150 ms by an instance that then went away
    assert isinstance(
        client.set_if_not_exists(CACHE, LOCK, "crashed", timedelta(milliseconds=150)), CacheSetIfNotExists.Stored
    )
    assert isinstance(client.set_if_not_exists(CACHE, LOCK, "next", LOCK_TTL), CacheSetIfNotExists.NotStored)
    # When its TTL runs out
    time.sleep(0.2)
    # Then the lock reads as free and the next caller takes it
    assert isinstance(client.get(CACHE, LOCK), CacheGet.Miss)
    assert isinstance(client.set_if_not_exists(CACHE, LOCK, "next", LOCK_TTL), CacheSetIfNotExists.Stored)
    got = client.get(CACHE, LOCK)
    assert isinstance(got, CacheGet.Hit)
    assert got.value_string == "next"


def test_a_set_replaces_the_ttl_and_expired_scalars_are_swept(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    client.set(CACHE, "short", "v", timedelta(milliseconds=50))
    client.set(CACHE, "lengthened", "v", timedelta(milliseconds=50))
    client.set(CACHE, "lengthened", "w", timedelta(minutes=5))
    time.sleep(0.1)
    momento_local.store.sweep_expired()  # the server's own sweeper (every second) may have been first: either way
    assert momento_local.store.keys_held(CACHE) >= {b"lengthened"}
    assert b"short" not in momento_local.store.keys_held(CACHE)
    assert isinstance(client.get(CACHE, "short"), CacheGet.Miss)
    assert isinstance(client.get(CACHE, "lengthened"), CacheGet.Hit)


def test_scalars_and_sorted_sets_share_one_keyspace_and_a_mismatch_is_failed_precondition(
    client: CacheClient,
) -> None:
    # Given a sorted set and a scalar
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    client.set(CACHE, "flag", "on")
    # Then scalar calls on the set, and sorted-set calls on the scalar, are FAILED_PRECONDITION naming the key
    get = client.get(CACHE, "board")
    assert isinstance(get, CacheGet.Error)
    assert get.error_code == MomentoErrorCode.FAILED_PRECONDITION_ERROR
    assert "'board' holds a sorted set" in get.message
    overwrite = client.set(CACHE, "board", "x")
    assert isinstance(overwrite, CacheSet.Error)
    assert overwrite.error_code == MomentoErrorCode.FAILED_PRECONDITION_ERROR
    put = client.sorted_set_put_element(CACHE, "flag", "ann", 1.0)
    assert isinstance(put, CacheSortedSetPutElement.Error)
    assert put.error_code == MomentoErrorCode.FAILED_PRECONDITION_ERROR
    fetch = client.sorted_set_fetch_by_rank(CACHE, "flag")
    assert isinstance(fetch, CacheSortedSetFetch.Error)
    assert fetch.error_code == MomentoErrorCode.FAILED_PRECONDITION_ERROR
    # And set_if_not_exists, which only asks whether the key exists, is NotStored on either
    assert isinstance(client.set_if_not_exists(CACHE, "board", "x", LOCK_TTL), CacheSetIfNotExists.NotStored)
    assert isinstance(client.set_if_not_exists(CACHE, "flag", "x", LOCK_TTL), CacheSetIfNotExists.NotStored)
    # And nothing changed
    board = client.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(board, CacheSortedSetFetch.Hit)
    assert board.value_list_string == [("ann", 1.0)]
    flag = client.get(CACHE, "flag")
    assert isinstance(flag, CacheGet.Hit)
    assert flag.value_string == "on"
    # And delete removes either kind, after which the key takes the other kind
    client.delete(CACHE, "board")
    assert isinstance(client.set(CACHE, "board", "now a scalar"), CacheSet.Success)


def test_a_value_past_the_item_size_cap_is_limit_exceeded_and_changes_nothing(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    momento_local.store.max_item_size_bytes = 64
    assert isinstance(client.set(CACHE, "k", "x" * 64), CacheSet.Success)
    too_big = client.set(CACHE, "k", "y" * 65)
    assert isinstance(too_big, CacheSet.Error)
    assert too_big.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR
    assert "Item size limit exceeded" in too_big.message
    got = client.get(CACHE, "k")
    assert isinstance(got, CacheGet.Hit)
    assert got.value_string == "x" * 64
    lock = client.set_if_not_exists(CACHE, "lock", "z" * 65, LOCK_TTL)
    assert isinstance(lock, CacheSetIfNotExists.Error)
    assert lock.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR
    assert isinstance(client.get(CACHE, "lock"), CacheGet.Miss)


def test_scalar_calls_on_an_unknown_cache_are_not_found(client: CacheClient) -> None:
    for response in (
        client.set("no-such-cache", "k", "v"),
        client.get("no-such-cache", "k"),
        client.set_if_not_exists("no-such-cache", "k", "v", LOCK_TTL),
        client.delete("no-such-cache", "k"),
    ):
        assert isinstance(response, CacheSet.Error | CacheGet.Error | CacheSetIfNotExists.Error | CacheDelete.Error)
        assert response.error_code == MomentoErrorCode.NOT_FOUND_ERROR


def set_if(stub: pb_grpc.ScsStub, key: bytes, value: bytes, **condition: object) -> str:
    request = pb._SetIfRequest(cache_key=key, cache_body=value, ttl_milliseconds=60_000, **condition)
    return str(stub.SetIf(request, metadata=WITH_CACHE).WhichOneof("result"))


def test_set_if_conditions(stub: pb_grpc.ScsStub, client: CacheClient) -> None:
    # On an absent key: absent, absent_or_equal and not_equal store; present, equal, present_and_not_equal do not
    assert set_if(stub, b"a", b"1", present=common.Present()) == "not_stored"
    assert set_if(stub, b"a", b"1", equal=common.Equal(value_to_check=b"1")) == "not_stored"
    assert set_if(stub, b"a", b"1", present_and_not_equal=common.PresentAndNotEqual(value_to_check=b"0")) == (
        "not_stored"
    )
    assert set_if(stub, b"a", b"1", absent=common.Absent()) == "stored"
    assert set_if(stub, b"b", b"1", absent_or_equal=common.AbsentOrEqual(value_to_check=b"x")) == "stored"
    assert set_if(stub, b"c", b"1", not_equal=common.NotEqual(value_to_check=b"x")) == "stored"
    # On a key holding b"1"
    assert set_if(stub, b"a", b"2", absent=common.Absent()) == "not_stored"
    assert set_if(stub, b"a", b"2", equal=common.Equal(value_to_check=b"0")) == "not_stored"
    assert set_if(stub, b"a", b"2", equal=common.Equal(value_to_check=b"1")) == "stored"
    assert set_if(stub, b"a", b"3", not_equal=common.NotEqual(value_to_check=b"2")) == "not_stored"
    assert set_if(stub, b"a", b"3", present_and_not_equal=common.PresentAndNotEqual(value_to_check=b"x")) == "stored"
    assert set_if(stub, b"a", b"4", absent_or_equal=common.AbsentOrEqual(value_to_check=b"3")) == "stored"
    assert set_if(stub, b"a", b"5", present=common.Present()) == "stored"
    got = client.get(CACHE, "a")
    assert isinstance(got, CacheGet.Hit)
    assert got.value_bytes == b"5"
    # No condition at all is a malformed request
    with pytest.raises(grpc.RpcError) as raised:
        stub.SetIf(pb._SetIfRequest(cache_key=b"a", cache_body=b"6"), metadata=WITH_CACHE)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_set_if_on_a_sorted_set(stub: pb_grpc.ScsStub, client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    # absent only asks whether the key exists; every other condition needs a scalar there
    assert set_if(stub, b"board", b"x", absent=common.Absent()) == "not_stored"
    with pytest.raises(grpc.RpcError) as raised:
        set_if(stub, b"board", b"x", present=common.Present())
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
