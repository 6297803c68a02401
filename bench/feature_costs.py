"""Which kept feature costs what, warm, for submit and page: each route measured at every layer from the bare calls to
the full handler, all interleaved in one loop (shuffled per round, so drift hits every layer alike).

    submit: Momento put | the durable floor (DynamoDB UpdateItem, then the put) | Leaderboards.submit | the handler
    page:   Momento fetch of 20 (the page floor) | Leaderboards.view | the handler

So each step's difference is one feature's price: durability at its cheapest, the rest of the domain (the board's
registry, the read-back that keeps the index equal to the record, keep-best and periods; a read's marks, total and
settings), and the chain (validation, the key from SSM's cache, logging, metrics, CORS, ETag).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from bench.harness import CACHE, FUNCTIONS_TTL, Bench, Measured, Timed, handler_call, interleaved, p50, ratio
from shared.domain.rules import PageRequest, Submission
from tests.support import lambda_fakes as fakes


def measure(bench: Bench) -> Measured:
    players = bench.plan.layer_players
    board, bare = "layers", "layers-bare"
    names = [f"player-{i:04d}" for i in range(players)]
    last_page = players - 20  # a page starts anywhere from the top to the board's last 20
    submit, page = bench.handlers["submit_score"], bench.handlers["get_leaderboard"]
    for i, name in enumerate(names):  # through the API, so the record and the index both hold the board
        handler_call(submit, fakes.submit_event(board, name, {"score": float(i)}), bench.context, 202)()
    boards, secret, client, context = bench.leaderboards, bench.secret, bench.sdk(), bench.context

    def player(i: int) -> str:
        return names[i % players]

    layers: dict[str, dict[str, Callable[[int], Timed]]] = {
        "submit": {
            "momento_put": lambda i: (
                lambda: client.sorted_set_put_element(CACHE, bare, player(i), float(i), ttl=FUNCTIONS_TTL)
            ),
            "durable_floor": lambda i: bench.durable_floor(bare, player(i), float(i)),
            "domain": lambda i: lambda: boards.submit(Submission(board, player(i), float(i)), secret),
            "handler": lambda i: handler_call(
                submit, fakes.submit_event(board, player(i), {"score": float(i)}), context, 202
            ),
        },
        "page": {
            "page_floor": lambda i: bench.page_floor(board, i % last_page),
            "domain": lambda i: lambda: boards.view(PageRequest(board, i % last_page, i % last_page + 20), secret),
            "handler": lambda i: handler_call(
                page, fakes.page_event(board, {"startRank": str(i % last_page)}), context, 200
            ),
        },
    }
    details: dict[str, Any] = {}
    for route, calls in layers.items():
        times = interleaved(calls, bench.plan.samples, warm_up=min(50, bench.plan.samples), seed=7)
        medians = {name: round(p50(values), 1) for name, values in times.items()}
        floor = "durable_floor" if route == "submit" else "page_floor"
        details[route] = {
            "p50_us": medians,
            "steps_us": {f"{b} - {a}": round(medians[b] - medians[a], 1) for a, b in itertools.pairwise(medians)},
            "domain_vs_floor": ratio(medians["domain"], medians[floor]),
            "handler_vs_domain": ratio(medians["handler"], medians["domain"]),
            "handler_vs_floor": ratio(medians["handler"], medians[floor]),
        }
    details["submit"]["durable_floor_vs_momento_put"] = ratio(
        details["submit"]["p50_us"]["durable_floor"], details["submit"]["p50_us"]["momento_put"]
    )
    figures: dict[str, float | int] = {
        "submit_domain_vs_floor": details["submit"]["domain_vs_floor"],
        "page_domain_vs_floor": details["page"]["domain_vs_floor"],
        "submit_handler_vs_domain": details["submit"]["handler_vs_domain"],
        "page_handler_vs_domain": details["page"]["handler_vs_domain"],
        "durable_floor_vs_momento_put": details["submit"]["durable_floor_vs_momento_put"],
    }
    return Measured(figures, details)
