"""Control plane, unknown caches and token auth (rejection and rotation), through the real sync SDK."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from momento import CacheClient
from momento.errors import MomentoErrorCode
from momento.responses import (
    CacheFlush,
    CacheSortedSetFetch,
    CacheSortedSetGetScores,
    CacheSortedSetPutElement,
    CreateCache,
    DeleteCache,
    ListCaches,
)

from momento_local import MomentoLocalServer
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE


def cache_names(client: CacheClient) -> list[str]:
    response = client.list_caches()
    assert isinstance(response, ListCaches.Success), response
    return [cache.name for cache in response.caches]


def test_create_list_delete_cache(client: CacheClient) -> None:
    assert isinstance(client.create_cache("scratch"), CreateCache.Success)
    assert isinstance(client.create_cache("scratch"), CreateCache.CacheAlreadyExists)
    assert sorted(cache_names(client)) == [CACHE, "scratch"]
    assert isinstance(client.delete_cache("scratch"), DeleteCache.Success)
    assert cache_names(client) == [CACHE]
    missing = client.delete_cache("scratch")
    assert isinstance(missing, DeleteCache.Error)
    assert missing.error_code == MomentoErrorCode.NOT_FOUND_ERROR


def test_flush_empties_a_cache_but_keeps_it(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    assert isinstance(client.flush_cache(CACHE), CacheFlush.Success)
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Miss)
    assert CACHE in cache_names(client)
    missing = client.flush_cache("never-created")
    assert isinstance(missing, CacheFlush.Error)
    assert missing.error_code == MomentoErrorCode.NOT_FOUND_ERROR


def test_data_calls_on_an_unknown_cache_are_not_found_and_create_nothing(client: CacheClient) -> None:
    put = client.sorted_set_put_element("no-such-cache", "board", "ann", 1.0)
    assert isinstance(put, CacheSortedSetPutElement.Error)
    assert put.error_code == MomentoErrorCode.NOT_FOUND_ERROR
    fetch = client.sorted_set_fetch_by_rank("no-such-cache", "board")
    assert isinstance(fetch, CacheSortedSetFetch.Error)
    assert fetch.error_code == MomentoErrorCode.NOT_FOUND_ERROR
    assert "no-such-cache" not in cache_names(client)


def test_a_deleted_cache_loses_its_data(client: CacheClient) -> None:
    client.create_cache("scratch")
    client.sorted_set_put_element("scratch", "board", "ann", 1.0)
    client.delete_cache("scratch")
    client.create_cache("scratch")
    assert isinstance(client.sorted_set_fetch_by_rank("scratch", "board"), CacheSortedSetFetch.Miss)


def test_an_unknown_token_is_unauthenticated_on_both_planes(client_factory: Callable[..., CacheClient]) -> None:
    stranger = client_factory(token="not-a-key")
    data = stranger.sorted_set_get_scores(CACHE, "board", ["ann"])
    assert isinstance(data, CacheSortedSetGetScores.Error)
    assert data.error_code == MomentoErrorCode.AUTHENTICATION_ERROR
    control = stranger.list_caches()
    assert isinstance(control, ListCaches.Error)
    assert control.error_code == MomentoErrorCode.AUTHENTICATION_ERROR


def test_key_rotation_while_running(
    momento_local: MomentoLocalServer, client_factory: Callable[..., CacheClient]
) -> None:
    # Given a server that accepts only key-1
    momento_local.set_tokens(["key-1"])
    old, new = client_factory(token="key-1"), client_factory(token="key-2")
    assert isinstance(old.sorted_set_put_element(CACHE, "board", "ann", 1.0), CacheSortedSetPutElement.Success)
    rejected = new.sorted_set_put_element(CACHE, "board", "bob", 1.0)
    assert isinstance(rejected, CacheSortedSetPutElement.Error)
    # When both are accepted during the rotation, then only the new one
    momento_local.set_tokens(["key-1", "key-2"])
    assert isinstance(new.sorted_set_put_element(CACHE, "board", "bob", 2.0), CacheSortedSetPutElement.Success)
    momento_local.set_tokens(["key-2"])
    # Then the old key is refused on its existing connection, the new one works, and no data was lost
    revoked = old.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(revoked, CacheSortedSetFetch.Error)
    assert revoked.error_code == MomentoErrorCode.AUTHENTICATION_ERROR
    fetched = new.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(fetched, CacheSortedSetFetch.Hit)
    assert fetched.value_list_string == [("ann", 1.0), ("bob", 2.0)]


@pytest.mark.parametrize("token", ["", "local-token"])
def test_the_local_credential_provider_works_when_its_empty_token_is_accepted(
    momento_local: MomentoLocalServer, client_factory: Callable[..., CacheClient], token: str
) -> None:
    momento_local.set_tokens([token])
    local = client_factory()  # CredentialProvider.for_momento_local: empty token
    response = local.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    if token == "":
        assert isinstance(response, CacheSortedSetPutElement.Success)
    else:
        assert isinstance(response, CacheSortedSetPutElement.Error)
        assert response.error_code == MomentoErrorCode.AUTHENTICATION_ERROR
