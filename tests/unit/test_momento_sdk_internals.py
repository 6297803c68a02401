"""The Momento SDK's private internals that sdk_internals.py reaches into are still where it expects them: an SDK
upgrade that moves one fails here, naming it, rather than as a 500 on every page read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from momento import CacheClient, Configurations, CredentialProvider
from momento_wire_types import cacheclient_pb2 as cache_pb

from momento_local.server import MomentoLocalServer
from shared.stores.momento.sdk_internals import RawError, raw_call

CACHE = "leaderboard"


@pytest.fixture
def client(momento_local: MomentoLocalServer) -> CacheClient:
    credentials = CredentialProvider.for_momento_local(momento_local.host, momento_local.port)
    return CacheClient.create(
        Configurations.Lambda.latest(), credentials, timedelta(hours=1), eager_connection_timeout=timedelta(seconds=2)
    )


def test_the_client_still_has_the_private_parts_a_raw_call_uses(client: CacheClient) -> None:
    data_client = getattr(client, "_data_client", None)
    assert data_client is not None, "CacheClient._data_client moved: update sdk_internals.raw_call"
    assert callable(getattr(data_client, "_build_stub", None)), "_ScsDataClient._build_stub moved"
    assert isinstance(getattr(data_client, "_default_deadline_seconds", None), float), (
        "_ScsDataClient._default_deadline_seconds moved"
    )
    from momento.internal.synchronous import _utilities  # noqa: PLC0415

    assert callable(getattr(_utilities, "make_metadata", None)), "make_metadata moved"


def test_a_raw_call_reaches_the_server_with_the_clients_channel(client: CacheClient) -> None:
    assert client.sorted_set_put_element(CACHE, "board", "ada", 1.0).__class__.__name__ == "Success"
    answer = raw_call(client, CACHE, "SortedSetLength", cache_pb._SortedSetLengthRequest(set_name=b"board"))
    assert answer.found.length == 1
    missing = raw_call(client, CACHE, "SortedSetLength", cache_pb._SortedSetLengthRequest(set_name=b"nothing"))
    assert missing.WhichOneof("sorted_set") == "missing"


def test_a_raw_call_that_fails_answers_as_the_sdk_shapes_its_errors(client: CacheClient) -> None:
    answer = raw_call(client, "no-such-cache", "SortedSetLength", cache_pb._SortedSetLengthRequest(set_name=b"b"))
    assert isinstance(answer, RawError)
    assert answer.error_code.name == "NOT_FOUND_ERROR"
