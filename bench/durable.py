"""Durable boards: a board of Plan.rebuild_players players in the record whose set Momento lost, rebuilt by the
scheduled keep-alive (Leaderboards.keep_alive, unpaced: momento-local has no rate limit), timed to the end; its
Momento operations as Momento bills them (momento-local's meter: each element written is one).

The record is filled through its own public methods (DynamoRecord.fill_board and touch, as the dev server's demo
board is), in a table of this module's own, so the keep-alive finds this board alone. moto reads a board's whole
partition for every Query page (DynamoDB reads the page): the record's client here waits for it. What is measured
is the rebuild's own sequence of reads and writes, at moto's speed.
"""

from __future__ import annotations

import random
import time
from typing import Any

from bench.harness import Bench, Measured, size_label
from shared.domain.rules import PageRequest
from shared.domain.scope import Scope

TABLE = "bench-rebuild"
BOARD = "rebuilt"


def measure(bench: Bench) -> Measured:
    players = bench.plan.rebuild_players
    table = bench.servers.table(TABLE)
    rng = random.Random(4)
    record = bench.record(table)
    filled = time.perf_counter()
    now = time.time()
    record.touch(Scope(BOARD), int(now))
    record.fill_board(
        Scope(BOARD), {f"player-{i:07d}": float(rng.randrange(10_000_000)) for i in range(players)}, int(now * 1000)
    )
    fill_s = time.perf_counter() - filled
    boards = bench.build(table_name=table, rebuild_elements_per_second=0, record_client=bench.dynamodb(patient=True))
    before = bench.servers.momento_operations()
    started = time.perf_counter()
    report = boards.keep_alive(bench.secret, deadline=time.time() + 3600)
    seconds = time.perf_counter() - started
    operations = bench.servers.momento_operations() - before
    assert (report.rebuilt, report.pending) == (1, 0), report
    assert boards.view(PageRequest(BOARD, 0, 10), bench.secret).value.total == players
    details: dict[str, Any] = {
        "players": players,
        "record_fill_s": round(fill_s, 1),
        "rebuild_s": round(seconds, 2),
        "metered_operations": operations,
    }
    label = size_label(players)
    return Measured({f"rebuild_seconds_{label}": details["rebuild_s"], f"rebuild_ops_{label}": operations}, details)
