"""Fault injection: upstream momento-local's metadata switches and the server-wide switch, through the real SDK."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import grpc
import pytest
from momento import CacheClient, Configurations
from momento.errors import MomentoErrorCode
from momento.responses import (
    CacheDelete,
    CacheGet,
    CacheSet,
    CacheSetIfNotExists,
    CacheSortedSetFetch,
    CacheSortedSetGetScores,
    CacheSortedSetIncrementScore,
    CacheSortedSetPutElement,
)
from momento_wire_types import cacheclient_pb2 as pb
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc

from momento_local import MomentoLocalServer
from momento_local.client_metadata import MetadataMiddleware
from momento_local.faults import Faults
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE

ClientFactory = Callable[..., CacheClient]
LAPTOP_CALLS = 4  # Configurations.Laptop: FixedCountRetryStrategy(max_attempts=3) = 1 call + 3 retries


def with_switches(client_factory: ClientFactory, **switches: str) -> CacheClient:
    config = Configurations.Laptop.latest().with_middlewares([MetadataMiddleware(request_id="test-1", **switches)])
    return client_factory(configuration=config)


@pytest.mark.parametrize(
    ("return_error", "expected"),
    [
        ("unavailable", MomentoErrorCode.SERVER_UNAVAILABLE),
        ("internal", MomentoErrorCode.INTERNAL_SERVER_ERROR),
        ("deadline-exceeded", MomentoErrorCode.TIMEOUT_ERROR),
        ("resource-exhausted", MomentoErrorCode.LIMIT_EXCEEDED_ERROR),
        ("permission-denied", MomentoErrorCode.PERMISSION_ERROR),
        ("unauthenticated", MomentoErrorCode.AUTHENTICATION_ERROR),
        ("not-found", MomentoErrorCode.NOT_FOUND_ERROR),
    ],
)
def test_return_error_for_listed_rpcs_only(
    client_factory: ClientFactory, momento_local: MomentoLocalServer, return_error: str, expected: MomentoErrorCode
) -> None:
    faulty = with_switches(client_factory, return_error=return_error, error_rpcs="sorted-set-fetch")
    fetch = faulty.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(fetch, CacheSortedSetFetch.Error)
    assert fetch.error_code == expected
    # RPCs not listed run normally
    assert isinstance(faulty.sorted_set_put_element(CACHE, "board", "ann", 1.0), CacheSortedSetPutElement.Success)


def test_unavailable_is_retried_by_the_sdk_until_its_attempts_run_out(
    client_factory: ClientFactory, momento_local: MomentoLocalServer
) -> None:
    faulty = with_switches(client_factory, return_error="unavailable", error_rpcs="sorted-set-get-score")
    response = faulty.sorted_set_get_scores(CACHE, "board", ["ann"])
    assert isinstance(response, CacheSortedSetGetScores.Error)
    assert momento_local.calls("sorted-set-get-score") == LAPTOP_CALLS


def test_error_count_fails_only_the_first_n_requests_of_a_request_id(
    client_factory: ClientFactory, momento_local: MomentoLocalServer
) -> None:
    # Given two failures budgeted for this request id
    faulty = with_switches(
        client_factory, return_error="unavailable", error_rpcs="sorted-set-get-score", error_count="2"
    )
    # When the SDK calls (and retries)
    response = faulty.sorted_set_get_scores(CACHE, "board", ["ann"])
    # Then the third attempt gets through
    assert isinstance(response, CacheSortedSetGetScores.Miss)
    assert momento_local.calls("sorted-set-get-score") == 3


def test_increment_is_never_retried(client_factory: ClientFactory, momento_local: MomentoLocalServer) -> None:
    faulty = with_switches(client_factory, return_error="unavailable", error_rpcs="sorted-set-increment")
    response = faulty.sorted_set_increment_score(CACHE, "board", "ann", 1.0)
    assert isinstance(response, CacheSortedSetIncrementScore.Error)
    assert momento_local.calls("sorted-set-increment") == 1


def test_an_injected_rate_limit_names_its_cause(client_factory: ClientFactory) -> None:
    faulty = with_switches(client_factory, return_error="resource-exhausted", error_rpcs="sorted-set-put")
    response = faulty.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    assert isinstance(response, CacheSortedSetPutElement.Error)
    assert response.inner_exception.message_wrapper.startswith("Request rate limit exceeded")


def test_delay_slows_listed_rpcs_and_a_short_deadline_times_out(client_factory: ClientFactory) -> None:
    slow = with_switches(client_factory, delay_ms="300", delay_rpcs="sorted-set-fetch")
    started = time.monotonic()
    assert isinstance(slow.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Miss)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    slow.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    assert time.monotonic() - started < 0.3
    # With the Lambda configuration's 1.1 s deadline, a 2 s delay is a timeout, not a hang
    lambda_config = Configurations.Lambda.latest().with_middlewares(
        [MetadataMiddleware(request_id="test-2", delay_ms="2000", delay_rpcs="sorted-set-fetch")]
    )
    impatient = client_factory(configuration=lambda_config)
    started = time.monotonic()
    timed_out = impatient.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(timed_out, CacheSortedSetFetch.Error)
    assert timed_out.error_code == MomentoErrorCode.TIMEOUT_ERROR
    assert time.monotonic() - started < 1.9


def test_delay_count_delays_only_the_first_n(client_factory: ClientFactory) -> None:
    slow_once = with_switches(client_factory, delay_ms="300", delay_rpcs="sorted-set-fetch", delay_count="1")
    started = time.monotonic()
    slow_once.sorted_set_fetch_by_rank(CACHE, "board")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    slow_once.sorted_set_fetch_by_rank(CACHE, "board")
    assert time.monotonic() - started < 0.3


def test_delay_then_error(client_factory: ClientFactory) -> None:
    faulty = with_switches(client_factory, delay_ms="200", return_error="internal", error_rpcs="sorted-set-increment")
    started = time.monotonic()
    response = faulty.sorted_set_increment_score(CACHE, "board", "ann", 1.0)
    assert isinstance(response, CacheSortedSetIncrementScore.Error)
    assert response.error_code == MomentoErrorCode.INTERNAL_SERVER_ERROR
    assert time.monotonic() - started >= 0.2


def test_server_wide_faults_reach_clients_that_add_no_metadata(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    # Given a server-wide outage of writes for two requests
    momento_local.faults.set(return_error="unavailable", error_rpcs=["sorted-set-put"], error_count=2)
    # When an ordinary client writes, the SDK retries through it
    assert isinstance(client.sorted_set_put_element(CACHE, "board", "ann", 1.0), CacheSortedSetPutElement.Success)
    assert momento_local.calls("sorted-set-put") == 3
    # And an outage of every RPC, until cleared
    momento_local.faults.set(return_error="unavailable")
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Error)
    momento_local.faults.clear()
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Hit)


def test_server_wide_delay(client_factory: ClientFactory, momento_local: MomentoLocalServer) -> None:
    momento_local.faults.set(delay_ms=1500, delay_rpcs=["sorted-set-get-score"])
    impatient = client_factory(configuration=Configurations.Lambda.latest(), ttl=timedelta(minutes=1))
    response = impatient.sorted_set_get_scores(CACHE, "board", ["ann"])
    assert isinstance(response, CacheSortedSetGetScores.Error)
    assert response.error_code == MomentoErrorCode.TIMEOUT_ERROR


def test_unknown_error_name_is_refused_up_front(momento_local: MomentoLocalServer) -> None:
    with pytest.raises(ValueError, match="unknown return-error"):
        momento_local.faults.set(return_error="on-fire")


def test_scalar_rpcs_fail_by_name_and_only_idempotent_ones_are_retried(
    client_factory: ClientFactory, momento_local: MomentoLocalServer
) -> None:
    faulty = with_switches(client_factory, return_error="unavailable", error_rpcs="get set set-if-not-exists")
    got = faulty.get(CACHE, "k")
    assert isinstance(got, CacheGet.Error)
    assert got.error_code == MomentoErrorCode.SERVER_UNAVAILABLE
    assert isinstance(faulty.set(CACHE, "k", "v"), CacheSet.Error)
    lock = faulty.set_if_not_exists(CACHE, "lock", "owner", timedelta(seconds=5))
    assert isinstance(lock, CacheSetIfNotExists.Error)
    assert lock.error_code == MomentoErrorCode.SERVER_UNAVAILABLE
    # The SDK retries get and set, never set_if_not_exists: a lock attempt that may have landed is not repeated
    assert (momento_local.calls("get"), momento_local.calls("set")) == (LAPTOP_CALLS, LAPTOP_CALLS)
    assert momento_local.calls("set-if-not-exists") == 1
    assert isinstance(faulty.delete(CACHE, "k"), CacheDelete.Success)  # not listed


def test_ttl_rpcs_fail_by_name(stub: pb_grpc.ScsStub, momento_local: MomentoLocalServer) -> None:
    # By request metadata, as upstream's switches
    switches = (("authorization", ""), ("cache", CACHE), ("return-error", "unavailable"))
    update = pb._UpdateTtlRequest(cache_key=b"k", increase_to_milliseconds=1000)
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateTtl(update, metadata=(*switches, ("error-rpcs", "update-ttl item-get-ttl")))
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    with pytest.raises(grpc.RpcError) as raised:
        stub.ItemGetTtl(pb._ItemGetTtlRequest(cache_key=b"k"), metadata=(*switches, ("error-rpcs", "item-get-ttl")))
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    answered = stub.UpdateTtl(update, metadata=(*switches, ("error-rpcs", "item-get-ttl")))
    assert answered.WhichOneof("result") == "missing"
    # And server-wide, for a number of requests
    momento_local.faults.set(return_error="internal", error_rpcs=["update-ttl"], error_count=1)
    plain = (("authorization", ""), ("cache", CACHE))
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateTtl(update, metadata=plain)
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert stub.UpdateTtl(update, metadata=plain).WhichOneof("result") == "missing"


def test_a_server_rule_can_let_the_first_matching_requests_through() -> None:
    faults = Faults()
    faults.set(return_error="unavailable", error_rpcs=["sorted-set-put"], error_after=2)
    outcomes = [faults.decide(rpc, {}).error for rpc in ("sorted-set-put", "get", "sorted-set-put", "sorted-set-put")]
    assert outcomes == [None, None, None, grpc.StatusCode.UNAVAILABLE]
    assert faults.decide("sorted-set-put", {}).error == grpc.StatusCode.UNAVAILABLE
