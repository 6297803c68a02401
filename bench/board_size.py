"""Board size: p50 and p99 of submit, standing and a 20-entry page through the handlers, on boards of each of the
plan's sizes (1,000 / 100,000 / 1,000,000 players), each route's requests at random players and ranks."""

from __future__ import annotations

import random
from typing import Any

from bench.harness import Bench, Measured, handler_call, ratio, size_label, summary, timed
from tests.support import lambda_fakes as fakes

WARM_UP = 20


def measure(bench: Bench) -> Measured:
    rng = random.Random(2)
    sizes: dict[str, Any] = {}
    handlers, context = bench.handlers, bench.context
    for size in bench.plan.sizes:
        board = f"size-{size}"
        players = bench.fill(board, size)
        count = WARM_UP + bench.plan.size_samples
        calls = {
            "submit": [
                handler_call(
                    handlers["submit_score"],
                    fakes.submit_event(board, players[rng.randrange(size)], {"score": float(i)}),
                    context,
                    202,
                )
                for i in range(count)
            ],
            "standing": [
                handler_call(
                    handlers["get_standing"], fakes.standing_event(board, players[rng.randrange(size)]), context, 200
                )
                for _ in range(count)
            ],
            "page": [
                handler_call(handlers["get_leaderboard"], fakes.page_event(board, _page(rng, size)), context, 200)
                for _ in range(count)
            ],
        }
        sizes[str(size)] = {route: summary([timed(call) for call in made][WARM_UP:]) for route, made in calls.items()}
        bench.remove(board)
    smallest, largest = str(bench.plan.sizes[0]), str(bench.plan.sizes[-1])
    label = f"{size_label(int(largest))}_vs_{size_label(int(smallest))}"
    figures: dict[str, float | int] = {
        f"scale_ratio_{label}_{route}": ratio(sizes[largest][route]["p50_us"], sizes[smallest][route]["p50_us"])
        for route in ("submit", "standing", "page")
    }
    return Measured(figures, {"sizes": sizes})


def _page(rng: random.Random, size: int) -> dict[str, str]:
    start = rng.randrange(max(1, size - 20))
    return {"startRank": str(start), "endRank": str(start + 20)}
