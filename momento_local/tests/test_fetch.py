"""Fetch by rank and by score, driven through the real sync SDK, including the issue's worked examples."""

from __future__ import annotations

import math

import pytest
from momento import CacheClient
from momento.requests import SortOrder
from momento.responses import CacheSortedSetFetch

from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE
from momento_local.tests.worked_examples import PEPPERS

ASC, DESC = SortOrder.ASCENDING, SortOrder.DESCENDING


def values(response: object) -> list[str]:
    assert isinstance(response, CacheSortedSetFetch.Hit), response
    return [value for value, _ in response.value_list_string]


@pytest.mark.parametrize(
    ("start", "end", "order", "expected"),
    [
        (4, None, ASC, ["bam", "burrito", "taco", "jalapeno"]),
        (None, 3, ASC, ["foo", "bar", "baz"]),
        (10, None, ASC, []),
        (5, 100, ASC, ["burrito", "taco", "jalapeno"]),
        (-5, None, ASC, ["habanero", "bam", "burrito", "taco", "jalapeno"]),
        (None, -2, ASC, ["foo", "bar", "baz", "habanero", "bam", "burrito"]),
        (-5, -2, ASC, ["habanero", "bam", "burrito"]),
        (5, None, DESC, ["baz", "bar", "foo"]),
        (3, 5, DESC, ["bam", "habanero"]),
        (None, None, ASC, list(PEPPERS)),
        (None, None, DESC, list(reversed(PEPPERS))),
        (0, 1, DESC, ["jalapeno"]),
        (-100, 2, ASC, ["foo", "bar"]),
        (6, 3, ASC, []),
        (3, 3, ASC, []),
    ],
)
def test_fetch_by_rank_windows(
    client: CacheClient, start: int | None, end: int | None, order: SortOrder, expected: list[str]
) -> None:
    # Given the worked example's set
    client.sorted_set_put_elements(CACHE, "peppers", PEPPERS)
    # When a window is fetched
    response = client.sorted_set_fetch_by_rank(CACHE, "peppers", start_rank=start, end_rank=end, sort_order=order)
    # Then exactly the clipped window comes back, in the requested order, as a Hit even when empty
    assert values(response) == expected


def test_fetch_returns_scores_with_values(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "peppers", PEPPERS)
    response = client.sorted_set_fetch_by_rank(CACHE, "peppers", start_rank=0, end_rank=2, sort_order=DESC)
    assert isinstance(response, CacheSortedSetFetch.Hit)
    assert response.value_list_string == [("jalapeno", 1e6), ("taco", 90210.0)]


def test_ties_order_by_value_bytes_ascending_and_exactly_reversed_descending(client: CacheClient) -> None:
    # Given equal scores, including values whose byte order differs from their text order
    tied = {"b": 5.0, "a": 5.0, "B": 5.0, "é": 5.0, "aa": 5.0, "low": 1.0}
    client.sorted_set_put_elements(CACHE, "ties", tied)
    # Then ascending orders ties by UTF-8 bytes, and descending is the exact reverse
    ascending = values(client.sorted_set_fetch_by_rank(CACHE, "ties", sort_order=ASC))
    assert ascending == ["low", "B", "a", "aa", "b", "é"]
    assert values(client.sorted_set_fetch_by_rank(CACHE, "ties", sort_order=DESC)) == ascending[::-1]


def test_fetch_of_missing_set_is_a_miss(client: CacheClient) -> None:
    assert isinstance(client.sorted_set_fetch_by_rank(CACHE, "nothing"), CacheSortedSetFetch.Miss)
    assert isinstance(client.sorted_set_fetch_by_score(CACHE, "nothing"), CacheSortedSetFetch.Miss)


NUMBERS = {"one": 1.0, "ten": 10.0, "twenty": 20.0, "hundred": 100.0}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"sort_order": DESC, "offset": 2}, ["ten", "one"]),
        ({}, ["one", "ten", "twenty", "hundred"]),
        ({"min_score": 10.0, "max_score": 20.0}, ["ten", "twenty"]),
        ({"min_score": 10.0}, ["ten", "twenty", "hundred"]),
        ({"max_score": 10.0}, ["one", "ten"]),
        ({"min_score": 10.0, "max_score": 100.0, "sort_order": DESC}, ["hundred", "twenty", "ten"]),
        ({"offset": 1, "count": 2}, ["ten", "twenty"]),
        ({"sort_order": DESC, "offset": 1, "count": 2}, ["twenty", "ten"]),
        ({"count": 0}, []),
        ({"count": -1}, ["one", "ten", "twenty", "hundred"]),
        ({"offset": 10}, []),
        ({"min_score": 11.0, "max_score": 19.0}, []),
        ({"min_score": 50.0, "max_score": 5.0}, []),
        ({"min_score": -math.inf, "max_score": math.inf}, ["one", "ten", "twenty", "hundred"]),
    ],
)
def test_fetch_by_score(client: CacheClient, kwargs: dict[str, object], expected: list[str]) -> None:
    client.sorted_set_put_elements(CACHE, "numbers", NUMBERS)
    response = client.sorted_set_fetch_by_score(CACHE, "numbers", **kwargs)  # type: ignore[arg-type]
    assert values(response) == expected


def test_fetch_by_score_includes_infinite_scores_at_inclusive_infinite_bounds(client: CacheClient) -> None:
    client.sorted_set_put_elements(CACHE, "extremes", {"floor": -math.inf, "zero": 0.0, "ceiling": math.inf})
    response = client.sorted_set_fetch_by_score(CACHE, "extremes", min_score=-math.inf, max_score=math.inf)
    assert values(response) == ["floor", "zero", "ceiling"]
    assert values(client.sorted_set_fetch_by_score(CACHE, "extremes", min_score=0.0)) == ["zero", "ceiling"]


def test_page_of_a_large_set_by_rank_and_score(client: CacheClient) -> None:
    # Given 5,000 members with distinct scores
    members = {f"player-{i:05d}": float(i) for i in range(5000)}
    for start in range(0, 5000, 1000):
        batch = dict(list(members.items())[start : start + 1000])
        client.sorted_set_put_elements(CACHE, "big", batch)
    # When a 20-entry page deep in the descending order is fetched
    page = values(client.sorted_set_fetch_by_rank(CACHE, "big", start_rank=2500, end_rank=2520, sort_order=DESC))
    # Then it holds exactly ranks 2500..2519 of the descending order
    assert page == [f"player-{i:05d}" for i in range(2499, 2479, -1)]
    by_score = values(client.sorted_set_fetch_by_score(CACHE, "big", min_score=100.0, max_score=104.0))
    assert by_score == [f"player-{i:05d}" for i in range(100, 105)]
