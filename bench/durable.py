"""Durable boards: a board of Plan.rebuild_players players in the record whose set Momento lost, rebuilt by the
scheduled keep-alive (Leaderboards.keep_alive, unpaced: momento-local has no rate limit), timed to the end; its
Momento operations as Momento bills them (momento-local's meter: each element written is one). Then the set is lost
again and a client reads the top 100 until it answers, then the last page: a restore best first, as readers drive
it at the default starting pace, timed from the loss.

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
from shared.domain.errors import BoardRebuilding
from shared.domain.ports import BoardView
from shared.domain.rules import PageRequest
from shared.domain.scope import Scope

TABLE = "bench-rebuild"
BOARD = "rebuilt"
TOP = 100  # the page a restore must answer first
DEFAULT_PACE = 50  # the template's RebuildElementsPerSecond: where a restore's pace starts


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
    top = boards.view(PageRequest(BOARD, 0, TOP), bench.secret).value
    assert top.total == players
    restore = measure_restore(bench, table, players, top)
    details: dict[str, Any] = {
        "players": players,
        "record_fill_s": round(fill_s, 1),
        "rebuild_s": round(seconds, 2),
        "metered_operations": operations,
        "restore": restore,
    }
    label = size_label(players)
    return Measured(
        {
            f"rebuild_seconds_{label}": details["rebuild_s"],
            f"rebuild_ops_{label}": operations,
            f"restore_top{TOP}_s_{label}": restore["top_s"],
            f"restore_whole_s_{label}": restore["whole_s"],
        },
        details,
    )


def measure_restore(bench: Bench, table: str, players: int, top: BoardView) -> dict[str, Any]:
    """Momento loses the board again; a client reads its top 100 until it answers (each read restores for up to
    3 s, at the default starting pace), then its last page until that answers: the times from the loss."""
    boards = bench.build(
        table_name=table, rebuild_elements_per_second=DEFAULT_PACE, record_client=bench.dynamodb(patient=True)
    )
    bench.sdk().delete(bench.config.cache_name, BOARD)
    lost = time.perf_counter()
    first, reads = until_answered(boards, bench, PageRequest(BOARD, 0, TOP))
    top_s = time.perf_counter() - lost
    assert first.entries == top.entries, "the top answered from a restore is the board's exact top"
    _, more = until_answered(boards, bench, PageRequest(BOARD, max(0, players - TOP), players))
    whole_s = time.perf_counter() - lost
    return {
        "starting_pace": DEFAULT_PACE,
        "top_s": round(top_s, 2),
        "whole_s": round(whole_s, 2),
        "reads_503_before_top": reads,
        "reads_503_before_whole": more,
    }


def until_answered(boards: Any, bench: Bench, request: PageRequest) -> tuple[BoardView, int]:
    """The page, read again at once after every 503 (as a client honouring Retry-After: 1 would, less the wait);
    and how many 503s came first."""
    refused = 0
    while True:
        try:
            return boards.view(request, bench.secret).value, refused
        except BoardRebuilding:
            refused += 1
