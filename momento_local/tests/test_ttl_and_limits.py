"""Collection TTL (expiry, refresh, no refresh) and the item-size cap, through the real sync SDK."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from momento import CacheClient
from momento.errors import MomentoErrorCode
from momento.requests import CollectionTtl
from momento.responses import (
    CacheSortedSetFetch,
    CacheSortedSetIncrementScore,
    CacheSortedSetPutElement,
    CacheSortedSetPutElements,
)

from momento_local import MomentoLocalServer
from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE

SHORT = timedelta(milliseconds=400)


def exists(client: CacheClient, name: str) -> bool:
    return isinstance(client.sorted_set_fetch_by_rank(CACHE, name), CacheSortedSetFetch.Hit)


def test_a_set_expires_after_its_ttl(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(SHORT))
    assert exists(client, "board")
    time.sleep(0.5)
    assert not exists(client, "board")


def test_the_clients_default_ttl_applies_when_the_write_names_none(
    client_factory: Callable[..., CacheClient],
) -> None:
    short_lived = client_factory(ttl=SHORT)
    short_lived.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    time.sleep(0.2)
    assert exists(short_lived, "board")
    time.sleep(0.3)
    assert not exists(short_lived, "board")


def test_a_write_with_refresh_pushes_expiry_out(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(SHORT))
    time.sleep(0.25)
    client.sorted_set_increment_score(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(SHORT))  # refresh is default
    time.sleep(0.25)
    assert exists(client, "board")  # 0.5 s after creation, 0.25 s after the refresh
    time.sleep(0.25)
    assert not exists(client, "board")


def test_a_write_without_refresh_keeps_the_original_expiry(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(SHORT))
    time.sleep(0.25)
    client.sorted_set_put_element(CACHE, "board", "bob", 2.0, ttl=CollectionTtl(timedelta(minutes=5), False))
    time.sleep(0.25)
    assert not exists(client, "board")


def test_an_expired_set_starts_afresh_on_the_next_write(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(SHORT))
    time.sleep(0.5)
    increment = client.sorted_set_increment_score(CACHE, "board", "ann", 2.0)
    assert isinstance(increment, CacheSortedSetIncrementScore.Success)
    assert increment.score == 2.0  # the expired 1.0 is gone, not added to


def test_expired_sets_are_swept_from_memory(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0, ttl=CollectionTtl.of(timedelta(milliseconds=50)))
    time.sleep(0.1)
    momento_local.store.sweep_expired()  # the server's own sweeper (every second) may have been first: either way
    assert b"board" not in momento_local.store.keys_held(CACHE)


def test_a_write_past_the_item_size_cap_is_limit_exceeded_and_changes_nothing(
    client: CacheClient, momento_local: MomentoLocalServer
) -> None:
    # Given a cap of 1 KB and a set that nearly fills it (each element costs its value bytes + an 8-byte score)
    momento_local.store.max_item_size_bytes = 1024
    client.sorted_set_put_elements(
        CACHE, "board", {f"player-{i:03d}": float(i) for i in range(50)}
    )  # 50 x 18 B = 900 B
    # When a write would take it past the cap (10 x 16 B more)
    response = client.sorted_set_put_elements(CACHE, "board", {f"late-{i:03d}": 1.0 for i in range(10)})
    # Then the SDK reports LIMIT_EXCEEDED naming the item size, and none of the write landed
    assert isinstance(response, CacheSortedSetPutElements.Error)
    assert response.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR
    assert "Item size limit exceeded" in response.message
    fetched = client.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(fetched, CacheSortedSetFetch.Hit)
    assert len(fetched.value_list_string) == 50
    # And re-scoring existing members, which does not grow the item, still works
    assert isinstance(
        client.sorted_set_put_element(CACHE, "board", "player-001", 99.0), CacheSortedSetPutElement.Success
    )
    new_member = client.sorted_set_increment_score(CACHE, "board", "newcomer-" + "x" * 120, 1.0)
    assert isinstance(new_member, CacheSortedSetIncrementScore.Error)
    assert new_member.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR


def test_the_default_cap_is_five_megabytes(client: CacheClient, momento_local: MomentoLocalServer) -> None:
    assert momento_local.store.max_item_size_bytes == 5 * 1024 * 1024
    big_value = "x" * (1024 * 1024)
    for i in range(4):
        ok = client.sorted_set_put_element(CACHE, "board", f"{i}{big_value}", float(i))
        assert isinstance(ok, CacheSortedSetPutElement.Success), ok
    too_much = client.sorted_set_put_element(CACHE, "board", f"5{big_value}", 5.0)
    assert isinstance(too_much, CacheSortedSetPutElement.Error)
    assert too_much.error_code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR
