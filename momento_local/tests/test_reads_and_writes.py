"""Scores, ranks, puts, increments, removals and deletes through the real sync SDK."""

from __future__ import annotations

import math

from momento import CacheClient
from momento.errors import MomentoErrorCode
from momento.requests import SortOrder
from momento.responses import (
    CacheDelete,
    CacheSortedSetFetch,
    CacheSortedSetGetRank,
    CacheSortedSetGetScore,
    CacheSortedSetGetScores,
    CacheSortedSetIncrementScore,
    CacheSortedSetPutElement,
    CacheSortedSetPutElements,
    CacheSortedSetRemoveElements,
)

from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE


def fetch_all(client: CacheClient, name: str) -> list[tuple[str, float]]:
    response = client.sorted_set_fetch_by_rank(CACHE, name)
    assert isinstance(response, CacheSortedSetFetch.Hit), response
    return response.value_list_string


def test_put_creates_the_set_and_a_second_put_replaces_the_score(client: CacheClient) -> None:
    assert isinstance(client.sorted_set_put_element(CACHE, "board", "ann", 10.0), CacheSortedSetPutElement.Success)
    client.sorted_set_put_element(CACHE, "board", "ann", 3.5)
    assert fetch_all(client, "board") == [("ann", 3.5)]


def test_put_of_several_elements_in_one_call(client: CacheClient) -> None:
    response = client.sorted_set_put_elements(CACHE, "board", {b"ann": 1.0, b"bob": 2.0, b"\x00raw": -1.0})
    assert isinstance(response, CacheSortedSetPutElements.Success)
    response_bytes = client.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(response_bytes, CacheSortedSetFetch.Hit)
    assert response_bytes.value_list_bytes == [(b"\x00raw", -1.0), (b"ann", 1.0), (b"bob", 2.0)]


def test_put_of_no_elements_does_not_create_a_set(client: CacheClient) -> None:
    assert isinstance(client.sorted_set_put_elements(CACHE, "empty", {}), CacheSortedSetPutElements.Success)
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "empty"), CacheSortedSetFetch.Miss)


def test_nan_score_is_invalid_argument_and_writes_nothing(client: CacheClient) -> None:
    response = client.sorted_set_put_elements(CACHE, "board", {"ann": 1.0, "bob": math.nan})
    assert isinstance(response, CacheSortedSetPutElements.Error)
    assert response.error_code == MomentoErrorCode.INVALID_ARGUMENT_ERROR
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Miss)
    increment = client.sorted_set_increment_score(CACHE, "board", "ann", math.nan)
    assert isinstance(increment, CacheSortedSetIncrementScore.Error)
    assert increment.error_code == MomentoErrorCode.INVALID_ARGUMENT_ERROR


def test_get_scores_one_result_per_requested_value_in_order_with_duplicates(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "board", {"ann": 1.0, "bob": 2.0})
    response = client.sorted_set_get_scores(CACHE, "board", ["bob", "nobody", "ann", "bob"])
    assert isinstance(response, CacheSortedSetGetScores.Hit)
    parts = response.responses
    assert [type(p) for p in parts] == [
        CacheSortedSetGetScore.Hit,
        CacheSortedSetGetScore.Miss,
        CacheSortedSetGetScore.Hit,
        CacheSortedSetGetScore.Hit,
    ]
    assert [p.score for p in parts if isinstance(p, CacheSortedSetGetScore.Hit)] == [2.0, 1.0, 2.0]
    hits_and_misses = [p for p in parts if isinstance(p, CacheSortedSetGetScore.Hit | CacheSortedSetGetScore.Miss)]
    assert [p.value_string for p in hits_and_misses] == ["bob", "nobody", "ann", "bob"]


def test_get_score_of_missing_set_and_missing_value(client: CacheClient) -> None:
    assert isinstance(client.sorted_set_get_scores(CACHE, "nothing", ["ann"]), CacheSortedSetGetScores.Miss)
    assert isinstance(client.sorted_set_get_score(CACHE, "nothing", "ann"), CacheSortedSetGetScore.Miss)
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    assert isinstance(client.sorted_set_get_score(CACHE, "board", "bob"), CacheSortedSetGetScore.Miss)


def test_get_rank_in_both_orders(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "board", {"low": 1.0, "mid": 5.0, "high": 9.0, "tie": 5.0})
    ascending = {v: client.sorted_set_get_rank(CACHE, "board", v, SortOrder.ASCENDING) for v in ["low", "mid", "tie"]}
    assert {v: r.rank for v, r in ascending.items() if isinstance(r, CacheSortedSetGetRank.Hit)} == {
        "low": 0,
        "mid": 1,
        "tie": 2,
    }
    descending = client.sorted_set_get_rank(CACHE, "board", "high", SortOrder.DESCENDING)
    assert isinstance(descending, CacheSortedSetGetRank.Hit)
    assert descending.rank == 0
    tie_descending = client.sorted_set_get_rank(CACHE, "board", "tie", SortOrder.DESCENDING)
    assert isinstance(tie_descending, CacheSortedSetGetRank.Hit)
    assert tie_descending.rank == 1  # descending is the exact reverse: "tie" > "mid" by bytes


def test_get_rank_of_absent_value_is_a_miss(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", 1.0)
    assert isinstance(client.sorted_set_get_rank(CACHE, "board", "bob"), CacheSortedSetGetRank.Miss)


def test_get_rank_on_missing_set_is_the_sdks_error_as_in_the_real_service(client: CacheClient) -> None:
    # The server answers the `missing` branch; SDK 1.29 has no case for it and reports an Error (UNKNOWN).
    response = client.sorted_set_get_rank(CACHE, "nothing", "ann")
    assert isinstance(response, CacheSortedSetGetRank.Error)
    assert response.error_code == MomentoErrorCode.UNKNOWN_ERROR


def test_increment_creates_absent_elements_and_adds_to_present_ones(client: CacheClient) -> None:
    first = client.sorted_set_increment_score(CACHE, "board", "ann", 5.0)
    assert isinstance(first, CacheSortedSetIncrementScore.Success)
    assert first.score == 5.0
    second = client.sorted_set_increment_score(CACHE, "board", "ann", -7.5)
    assert isinstance(second, CacheSortedSetIncrementScore.Success)
    assert second.score == -2.5
    assert fetch_all(client, "board") == [("ann", -2.5)]


def test_increment_that_would_make_nan_is_rejected(client: CacheClient) -> None:
    client.sorted_set_put_element(CACHE, "board", "ann", math.inf)
    response = client.sorted_set_increment_score(CACHE, "board", "ann", -math.inf)
    assert isinstance(response, CacheSortedSetIncrementScore.Error)
    assert response.error_code == MomentoErrorCode.INVALID_ARGUMENT_ERROR
    assert fetch_all(client, "board") == [("ann", math.inf)]


def test_remove_some_values_and_the_last_one_deletes_the_set(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "board", {"ann": 1.0, "bob": 2.0})
    removed = client.sorted_set_remove_elements(CACHE, "board", ["ann", "nobody"])
    assert isinstance(removed, CacheSortedSetRemoveElements.Success)
    assert fetch_all(client, "board") == [("bob", 2.0)]
    client.sorted_set_remove_element(CACHE, "board", "bob")
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Miss)
    assert isinstance(client.sorted_set_get_scores(CACHE, "board", ["bob"]), CacheSortedSetGetScores.Miss)


def test_remove_from_missing_set_is_a_successful_no_op(client: CacheClient) -> None:
    response = client.sorted_set_remove_elements(CACHE, "nothing", ["ann"])
    assert isinstance(response, CacheSortedSetRemoveElements.Success)
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "nothing"), CacheSortedSetFetch.Miss)


def test_delete_removes_the_whole_key_and_is_idempotent(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "board", {"ann": 1.0, "bob": 2.0})
    assert isinstance(client.delete(CACHE, "board"), CacheDelete.Success)
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "board"), CacheSortedSetFetch.Miss)
    assert isinstance(client.delete(CACHE, "board"), CacheDelete.Success)


def test_sets_are_independent_per_key_and_per_cache(client: CacheClient) -> None:
    client.create_cache("other")
    client.sorted_set_put_element(CACHE, "a", "ann", 1.0)
    client.sorted_set_put_element(CACHE, "b", "ann", 2.0)
    client.sorted_set_put_element("other", "a", "ann", 3.0)
    assert fetch_all(client, "a") == [("ann", 1.0)]
    assert fetch_all(client, "b") == [("ann", 2.0)]
    other = client.sorted_set_fetch_by_rank("other", "a")
    assert isinstance(other, CacheSortedSetFetch.Hit)
    assert other.value_list_string == [("ann", 3.0)]


def test_negative_zero_and_infinities_are_valid_scores(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "board", {"neg": -math.inf, "z": -0.0, "pos": math.inf})
    assert fetch_all(client, "board") == [("neg", -math.inf), ("z", 0.0), ("pos", math.inf)]
