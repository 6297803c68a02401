"""Warm overhead: each route through its full handler (chain, validation, logging, metrics; tracing off, as in a local
run) against the floor, the fewest bare calls that can answer it, interleaved one for one on the same servers:

    submit    one DynamoDB UpdateItem, then one Momento put (the minimal durable write)
    standing  Momento's get_rank and get_score at once
    page      one sorted_set_fetch_by_rank of 20
    around    get_rank, then one fetch of the 11 entries around it

Then how a standing is read: score and rank at once, one after the other, and one call alone, on loopback and with
SIMULATED_LATENCY_MS of network per call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from momento import CacheClient
from momento.requests import SortOrder

from bench.harness import (
    CACHE,
    LATENCY,
    SIMULATED_LATENCY_MS,
    Bench,
    Measured,
    Timed,
    concurrently,
    handler_call,
    interleaved,
    p50,
    ratio,
    summary,
)
from tests.support import lambda_fakes as fakes

PLAYERS = 1000
EACH_SIDE = 5  # the around route's default


def standing_floor(client: CacheClient, board: str, player: str) -> Timed:
    return concurrently(
        lambda: client.sorted_set_get_rank(CACHE, board, player, SortOrder.DESCENDING),
        lambda: client.sorted_set_get_score(CACHE, board, player),
    )


def around_floor(client: CacheClient, board: str, player: str) -> Timed:
    def call() -> object:
        rank: Any = client.sorted_set_get_rank(CACHE, board, player, SortOrder.DESCENDING)
        start = max(0, rank.rank - EACH_SIDE)
        return client.sorted_set_fetch_by_rank(CACHE, board, start, rank.rank + EACH_SIDE + 1, SortOrder.DESCENDING)

    return call


def measure(bench: Bench) -> Measured:
    board = "warm"
    players = bench.fill(board, PLAYERS)
    client, handlers, context = bench.sdk(), bench.handlers, bench.context

    def player(i: int) -> str:
        return players[i % PLAYERS]

    routes: dict[str, dict[str, Callable[[int], Timed]]] = {
        "submit": {
            "handler": lambda i: handler_call(
                handlers["submit_score"], fakes.submit_event(board, player(i), {"score": float(i)}), context, 202
            ),
            "floor": lambda i: bench.durable_floor(board, player(i), float(i)),
        },
        "standing": {
            "handler": lambda i: handler_call(
                handlers["get_standing"], fakes.standing_event(board, player(i)), context, 200
            ),
            "floor": lambda i: standing_floor(client, board, player(i)),
        },
        "page": {
            "handler": lambda i: handler_call(
                handlers["get_leaderboard"], fakes.page_event(board, _page(i)), context, 200
            ),
            "floor": lambda i: bench.page_floor(board, i % (PLAYERS - 20)),
        },
        "around": {
            "handler": lambda i: handler_call(
                handlers["get_around"], fakes.around_event(board, player(i)), context, 200
            ),
            "floor": lambda i: around_floor(client, board, player(i)),
        },
    }
    details: dict[str, Any] = {"routes": {}}
    figures: dict[str, float | int] = {}
    for route, calls in routes.items():
        times = interleaved(calls, bench.plan.samples, warm_up=min(50, bench.plan.samples), seed=1)
        details["routes"][route] = {
            "handler": summary(times["handler"]),
            "floor": summary(times["floor"]),
            "ratio_p50": ratio(p50(times["handler"]), p50(times["floor"])),
        }
        figures[f"warm_handler_vs_floor_{route}"] = details["routes"][route]["ratio_p50"]
    details["standing"] = {
        "loopback": standing_strategies(bench.sdk(), bench, players),
        LATENCY: standing_strategies(bench.sdk(SIMULATED_LATENCY_MS), bench, players),
    }
    figures["standing_concurrent_vs_single"] = details["standing"]["loopback"]["concurrent_vs_single"]
    figures[f"standing_concurrent_vs_single_{LATENCY}"] = details["standing"][LATENCY]["concurrent_vs_single"]
    return Measured(figures, details)


def _page(i: int) -> dict[str, str]:
    start = i % (PLAYERS - 20)
    return {"startRank": str(start), "endRank": str(start + 20)}


def standing_strategies(client: CacheClient, bench: Bench, players: list[str]) -> dict[str, Any]:
    """A standing's two calls at once, one after the other, and one call alone, bare SDK, interleaved."""
    board = "strategies"
    response = client.sorted_set_put_elements(CACHE, board, {name: float(i) for i, name in enumerate(players)})
    assert type(response).__name__ == "Success", response

    def sequential(player: str) -> Timed:
        def call() -> object:
            client.sorted_set_get_score(CACHE, board, player)
            return client.sorted_set_get_rank(CACHE, board, player, SortOrder.DESCENDING)

        return call

    strategies: dict[str, Callable[[int], Timed]] = {
        "concurrent": lambda i: standing_floor(client, board, players[i % PLAYERS]),
        "sequential": lambda i: sequential(players[i % PLAYERS]),
        "single_call": lambda i: lambda: client.sorted_set_get_score(CACHE, board, players[i % PLAYERS]),
    }
    times = interleaved(strategies, max(10, bench.plan.samples // 2), warm_up=min(50, bench.plan.samples), seed=2)
    client.delete(CACHE, board)
    results: dict[str, Any] = {name: summary(values) for name, values in times.items()}
    results["concurrent_vs_single"] = ratio(p50(times["concurrent"]), p50(times["single_call"]))
    results["sequential_vs_single"] = ratio(p50(times["sequential"]), p50(times["single_call"]))
    return results
