"""What the SDK cannot reach: SortedSetLength(ByScore), UNIMPLEMENTED RPCs, bad headers and malformed bytes.

These go through a plain gRPC channel with the SDK's own generated stubs (momento_wire_types), over the network.
"""

from __future__ import annotations

import math

import grpc
import pytest
from momento import CacheClient
from momento_wire_types import cacheclient_pb2 as pb
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc

from momento_local import MomentoLocalServer
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE

AUTH = ("authorization", "")
WITH_CACHE = (AUTH, ("cache", CACHE))


def test_length_and_length_by_score(client: CacheClient, stub: pb_grpc.ScsStub) -> None:
    client.sorted_set_put_elements(CACHE, "numbers", {"one": 1.0, "ten": 10.0, "twenty": 20.0, "hundred": 100.0})
    length = stub.SortedSetLength(pb._SortedSetLengthRequest(set_name=b"numbers"), metadata=WITH_CACHE)
    assert length.found.length == 4
    missing = stub.SortedSetLength(pb._SortedSetLengthRequest(set_name=b"nothing"), metadata=WITH_CACHE)
    assert missing.WhichOneof("sorted_set") == "missing"

    def count(**bounds: float) -> int:
        request = pb._SortedSetLengthByScoreRequest(set_name=b"numbers", **bounds)
        response = stub.SortedSetLengthByScore(request, metadata=WITH_CACHE)
        assert response.WhichOneof("sorted_set") == "found"
        return int(response.found.length)

    assert count() == 4
    assert count(inclusive_min=10.0, inclusive_max=20.0) == 2
    assert count(exclusive_min=10.0, inclusive_max=20.0) == 1
    assert count(inclusive_min=10.0, exclusive_max=100.0) == 2
    assert count(exclusive_min=100.0) == 0
    assert count(inclusive_min=50.0, inclusive_max=5.0) == 0


def test_fetch_without_scores_returns_values_only(client: CacheClient, stub: pb_grpc.ScsStub) -> None:
    client.sorted_set_put_elements(CACHE, "numbers", {"one": 1.0, "ten": 10.0})
    request = pb._SortedSetFetchRequest(set_name=b"numbers", with_scores=False)
    request.by_index.inclusive_start_index = 0
    request.by_index.exclusive_end_index = 5
    response = stub.SortedSetFetch(request, metadata=WITH_CACHE)
    assert list(response.found.values.values) == [b"one", b"ten"]


def test_fetch_by_score_with_exclusive_bounds(client: CacheClient, stub: pb_grpc.ScsStub) -> None:
    client.sorted_set_put_elements(CACHE, "numbers", {"one": 1.0, "ten": 10.0, "twenty": 20.0, "hundred": 100.0})
    request = pb._SortedSetFetchRequest(set_name=b"numbers", with_scores=True)
    request.by_score.min_score.score = 10.0
    request.by_score.min_score.exclusive = True
    request.by_score.max_score.score = 100.0
    request.by_score.max_score.exclusive = True
    request.by_score.count = -1
    response = stub.SortedSetFetch(request, metadata=WITH_CACHE)
    assert [e.value for e in response.found.values_with_scores.elements] == [b"twenty"]


def test_rpcs_momento_local_does_not_serve_are_unimplemented(stub: pb_grpc.ScsStub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.Increment(pb._IncrementRequest(cache_key=b"k", amount=1), metadata=WITH_CACHE)
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    with pytest.raises(grpc.RpcError) as raised:
        stub.SortedSetUnionStore(pb._SortedSetUnionStoreRequest(set_name=b"k"), metadata=WITH_CACHE)
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_missing_cache_header_and_missing_token(stub: pb_grpc.ScsStub) -> None:
    request = pb._SortedSetLengthRequest(set_name=b"numbers")
    with pytest.raises(grpc.RpcError) as raised:
        stub.SortedSetLength(request, metadata=(AUTH,))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as raised:
        stub.SortedSetLength(request, metadata=(("cache", CACHE),))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_nan_bounds_are_invalid_argument(stub: pb_grpc.ScsStub, client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "numbers", "one", 1.0)
    request = pb._SortedSetFetchRequest(set_name=b"numbers", with_scores=True)
    request.by_score.min_score.score = math.nan
    with pytest.raises(grpc.RpcError) as raised:
        stub.SortedSetFetch(request, metadata=WITH_CACHE)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_malformed_bytes_get_an_error_status_and_the_server_keeps_serving(
    channel: grpc.Channel, stub: pb_grpc.ScsStub
) -> None:
    raw_put: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary("/cache_client.Scs/SortedSetPut")
    with pytest.raises(grpc.RpcError) as raised:
        raw_put(b"\xff\xff\xff\xff garbage", metadata=WITH_CACHE)
    assert raised.value.code() in {grpc.StatusCode.INTERNAL, grpc.StatusCode.INVALID_ARGUMENT}
    length = stub.SortedSetLength(pb._SortedSetLengthRequest(set_name=b"x"), metadata=WITH_CACHE)
    assert length.WhichOneof("sorted_set") == "missing"


def test_a_write_without_a_ttl_keeps_its_item(stub: pb_grpc.ScsStub, momento_local: MomentoLocalServer) -> None:
    # The SDK always sends a TTL; a raw request without one must not make the set expire at once
    put = pb._SortedSetPutRequest(set_name=b"forever", elements=[pb._SortedSetElement(value=b"ann", score=1.0)])
    stub.SortedSetPut(put, metadata=WITH_CACHE)
    length = stub.SortedSetLength(pb._SortedSetLengthRequest(set_name=b"forever"), metadata=WITH_CACHE)
    assert length.found.length == 1
    momento_local.store.sweep_expired()
    assert b"forever" in momento_local.store.keys_held(CACHE)
