"""The async SDK client, and many concurrent writers losing nothing."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from momento import CacheClient, CacheClientAsync
from momento.errors import MomentoErrorCode
from momento.requests import SortOrder
from momento.responses import (
    CacheSortedSetFetch,
    CacheSortedSetGetRank,
    CacheSortedSetGetScores,
    CacheSortedSetIncrementScore,
)

from momento_local.pytest_plugin import DEFAULT_CACHE as CACHE
from momento_local.tests.worked_examples import PEPPERS


async def test_async_client_worked_example(async_client: CacheClientAsync) -> None:
    await async_client.sorted_set_put_elements(CACHE, "peppers", PEPPERS)
    window = await async_client.sorted_set_fetch_by_rank(
        CACHE, "peppers", start_rank=-5, end_rank=-2, sort_order=SortOrder.ASCENDING
    )
    assert isinstance(window, CacheSortedSetFetch.Hit)
    assert [v for v, _ in window.value_list_string] == ["habanero", "bam", "burrito"]
    by_score = await async_client.sorted_set_fetch_by_score(
        CACHE, "peppers", min_score=42.0, max_score=9000.0, sort_order=SortOrder.DESCENDING, offset=1, count=2
    )
    assert isinstance(by_score, CacheSortedSetFetch.Hit)
    assert [v for v, _ in by_score.value_list_string] == ["bam", "habanero"]


async def test_async_client_scores_ranks_and_missing_sets(async_client: CacheClientAsync) -> None:
    await async_client.sorted_set_put_elements(CACHE, "board", {"ann": 10.0, "bob": 20.0})
    rank = await async_client.sorted_set_get_rank(CACHE, "board", "ann", SortOrder.DESCENDING)
    assert isinstance(rank, CacheSortedSetGetRank.Hit)
    assert rank.rank == 1
    scores = await async_client.sorted_set_get_scores(CACHE, "board", ["bob", "zed"])
    assert isinstance(scores, CacheSortedSetGetScores.Hit)
    assert [type(r).__name__ for r in scores.responses] == ["Hit", "Miss"]
    assert isinstance(await async_client.sorted_set_fetch_by_rank(CACHE, "none"), CacheSortedSetFetch.Miss)
    missing_rank = await async_client.sorted_set_get_rank(CACHE, "none", "ann")
    assert isinstance(missing_rank, CacheSortedSetGetRank.Error)
    assert missing_rank.error_code == MomentoErrorCode.UNKNOWN_ERROR


async def test_concurrent_async_increments_lose_nothing(async_client: CacheClientAsync) -> None:
    # Given 50 coroutines each adding 1.0 twenty times to the same member and to a member of their own
    async def worker(n: int) -> None:
        for _ in range(20):
            shared = await async_client.sorted_set_increment_score(CACHE, "board", "shared", 1.0)
            own = await async_client.sorted_set_increment_score(CACHE, "board", f"player-{n}", 1.0)
            assert isinstance(shared, CacheSortedSetIncrementScore.Success)
            assert isinstance(own, CacheSortedSetIncrementScore.Success)

    await asyncio.gather(*(worker(n) for n in range(50)))
    # Then every increment is counted
    scores = await async_client.sorted_set_get_scores(CACHE, "board", ["shared", *(f"player-{n}" for n in range(50))])
    assert isinstance(scores, CacheSortedSetGetScores.Hit)
    assert [getattr(r, "score", None) for r in scores.responses] == [1000.0] + [20.0] * 50


def test_concurrent_threads_writing_distinct_players_lose_nothing(client: CacheClient) -> None:
    # Given 16 threads, each putting 200 players one at a time
    def writer(t: int) -> None:
        for i in range(200):
            client.sorted_set_put_element(CACHE, "board", f"t{t:02d}-p{i:03d}", float(t * 1000 + i))

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(writer, range(16)))
    # Then all 3,200 are there, each with its own score, in score order
    fetched = client.sorted_set_fetch_by_rank(CACHE, "board")
    assert isinstance(fetched, CacheSortedSetFetch.Hit)
    expected = sorted(
        ((f"t{t:02d}-p{i:03d}", float(t * 1000 + i)) for t in range(16) for i in range(200)), key=lambda e: e[1]
    )
    assert fetched.value_list_string == expected
