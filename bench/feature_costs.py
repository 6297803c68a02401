"""Which kept feature costs what, warm, for submit and page: each route measured at every layer between the bare
SDK call and the full handler, all interleaved in one loop (shuffled per round, so drift hits every layer alike).

    submit: Momento put | + the record (DynamoDB UpdateItem, then the put) | the domain's submit | the handler
    page:   Momento fetch of 20 | the domain's read | the handler

So each step's difference is one feature's price: the durable record, the rest of the domain (the board's
registry, the read-back that keeps the index equal to the record, keep-best and periods), and the chain
(validation, the key from SSM's cache, logging, metrics, CORS, ETag).
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.support import lambda_fakes as fakes

CACHE = "leaderboard"


def _p50_us(values: list[float]) -> float:
    return round(statistics.median(values) * 1e6, 1)


def feature_costs(
    handlers: dict[str, Any], client: Any, dynamodb: Any, *, table: str, key: str, samples: int, players: int
) -> dict[str, Any]:
    from momento.requests import CollectionTtl, SortOrder  # noqa: PLC0415

    boards = sys.modules["shared.domain.leaderboards"].leaderboards()  # the handlers' own, as imported by the bench
    shapes = sys.modules["shared.domain.rules"]
    secret = sys.modules["shared.platform.secret"].Secret("momento-api-key", key, lambda: key)
    ttl = CollectionTtl(timedelta(days=1), refresh_ttl=True)
    context = fakes.lambda_context("leaderboard-api-bench")
    board, bare = "layers", "layers-bare"
    names = [f"player-{i:04d}" for i in range(players)]
    last_page = players - 20  # a page starts anywhere from the top to the board's last 20
    for i, name in enumerate(names):  # through the API, so the record and the index both hold the board
        handlers["submit"](fakes.submit_event(board, name, {"score": float(i)}), context)

    def durable_put(i: int) -> None:
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": f"board#{bare}"}, "sk": {"S": names[i % players]}},
            UpdateExpression="SET score = :s",
            ExpressionAttributeValues={":s": {"N": str(i)}},
        )
        client.sorted_set_put_element(CACHE, bare, names[i % players], float(i), ttl=ttl)

    def player(i: int) -> str:
        return names[i % players]

    layers: dict[str, dict[str, Callable[[int], object]]] = {
        "submit": {
            "momento_put": lambda i: client.sorted_set_put_element(CACHE, bare, player(i), float(i), ttl=ttl),
            "record_and_put": durable_put,
            "domain": lambda i: boards.submit(shapes.Submission(board, player(i), float(i)), secret),
            "handler": lambda i: handlers["submit"](fakes.submit_event(board, player(i), {"score": float(i)}), context),
        },
        "page": {
            "momento_fetch": lambda i: client.sorted_set_fetch_by_rank(
                CACHE, board, i % last_page, i % last_page + 20, SortOrder.DESCENDING
            ),
            "domain": lambda i: boards.view(shapes.PageRequest(board, i % last_page, i % last_page + 20), secret),
            "handler": lambda i: handlers["page"](fakes.page_event(board, {"startRank": str(i % last_page)}), context),
        },
    }
    rng = random.Random(7)
    results: dict[str, Any] = {}
    for route, calls in layers.items():
        times: dict[str, list[float]] = {name: [] for name in calls}
        for i in range(samples + 50):
            order = list(calls.items())
            rng.shuffle(order)
            for name, call in order:
                started = time.perf_counter()
                call(i)
                if i >= 50:
                    times[name].append(time.perf_counter() - started)
        p50 = {name: _p50_us(values) for name, values in times.items()}
        names = list(calls)
        results[route] = {
            "p50_us": p50,
            "steps_us": {f"{b} - {a}": round(p50[b] - p50[a], 1) for a, b in itertools.pairwise(names)},
            "handler_vs_bare": round(p50["handler"] / p50[names[0]], 3),
            "handler_vs_domain": round(p50["handler"] / p50["domain"], 3),
        }
    return results


def feature_cost_lines(costs: dict[str, Any]) -> list[str]:
    lines = ["10. which kept feature costs what (warm p50, us; each step is the next layer minus the one before)"]
    for route, row in costs.items():
        layers = "  ".join(f"{name} {value:.0f}" for name, value in row["p50_us"].items())
        lines.append(f"  {route:<7}{layers}")
        steps = ", ".join(f"{step}: {value:+.0f}" for step, value in row["steps_us"].items())
        lines.append(f"         {steps}; the chain: {row['handler_vs_domain']:.2f}x the domain")
    return lines
