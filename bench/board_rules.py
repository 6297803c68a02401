"""Board rules: the reads board settings added, through the domain's public methods (Leaderboards.around and .view),
against the bare page fetch (one sorted_set_fetch_by_rank of 20, what the original service's page was) and against
our own page, interleaved one for one: around-me (5 each side), friends (50 names), and pages of a board with shared
ranks against the same board with distinct ones, on a board with few ties and on one with many (20 players per
score: most pages start inside a tie).

Twice: on loopback, where momento-local answers one call at a time (so a read costs about its number of calls), and
with SIMULATED_LATENCY_MS of network per Momento call (the Leaderboards built with a Momento configuration that asks
momento-local to hold each call; the bare fetch's client likewise), where calls in flight together overlap as they
do against Momento (so a read costs about its number of round trips).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from bench.harness import LATENCY, SIMULATED_LATENCY_MS, Bench, Measured, Timed, interleaved, p50, ratio, summary
from shared.domain.leaderboards import Leaderboards
from shared.domain.rules import AroundRequest, FriendsRequest, PageRequest

PLAYERS = 1000
BOARD = "reads"
TIES = {"few-ties": 10_000_000, "many-ties": 50}  # different scores on each board
GOALS = {"around_vs_page_floor": 2.0, "friends_50_vs_page_floor": 3.0, "shared_vs_distinct_page": 1.5}


def measure(bench: Bench) -> Measured:
    players = bench.fill(BOARD, PLAYERS)
    for board, scores in TIES.items():
        for ties in ("distinct", "shared"):
            bench.fill(f"{board}-{ties}", PLAYERS, scores=scores, settings={"ties": ties})
    # Fewer samples than the other figures: a friends query over loopback takes tens of milliseconds.
    loopback = _reads(bench, bench.leaderboards, players, 0, max(10, bench.plan.samples // 3))
    boards = bench.build(momento_latency_ms=SIMULATED_LATENCY_MS)
    with_latency = _reads(bench, boards, players, SIMULATED_LATENCY_MS, max(5, bench.plan.samples // 10))
    figures: dict[str, float | int] = {}
    for where, reads in (("", loopback), (f"_{LATENCY}", with_latency)):
        for name in (
            "around_vs_page_floor",
            "friends_50_vs_page_floor",
            "around_vs_page",
            "friends_50_vs_page",
            "shared_vs_distinct_page_few_ties",
            "shared_vs_distinct_page_many_ties",
        ):
            figures[name + where] = reads[name]
    return Measured(figures, {"loopback": loopback, LATENCY: with_latency, "goals": GOALS})


def _reads(bench: Bench, boards: Leaderboards, players: list[str], latency_ms: int, samples: int) -> dict[str, Any]:
    rng = random.Random(5)
    friends = tuple(players[i] for i in rng.sample(range(PLAYERS), 50))
    secret = bench.secret

    def page_of(board: str) -> Callable[[int], Timed]:
        return lambda i: lambda: boards.view(PageRequest(board, i % 900, i % 900 + 20), secret)

    calls: dict[str, Callable[[int], Timed]] = {
        "page_floor": lambda i: bench.page_floor(BOARD, i % 900, latency_ms),
        "page": page_of(BOARD),
        "around": lambda i: lambda: boards.around(AroundRequest(BOARD, players[i % PLAYERS], 5), secret),
        "friends_50": lambda _: lambda: boards.view(FriendsRequest(BOARD, friends), secret),
        **{f"{b}_{t}_page": page_of(f"{b}-{t}") for b in TIES for t in ("distinct", "shared")},
    }
    times = interleaved(calls, samples, warm_up=min(50, samples), seed=5)
    results: dict[str, Any] = {name: summary(values) for name, values in times.items()}
    floor, page = p50(times["page_floor"]), p50(times["page"])
    for read in ("around", "friends_50"):
        results[f"{read}_vs_page_floor"] = ratio(p50(times[read]), floor)
        results[f"{read}_vs_page"] = ratio(p50(times[read]), page)
    for board in TIES:
        shared, distinct = p50(times[f"{board}_shared_page"]), p50(times[f"{board}_distinct_page"])
        results[f"shared_vs_distinct_page_{board.replace('-', '_')}"] = ratio(shared, distinct)
    return results
