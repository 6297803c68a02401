"""Periods: submit p50 (Leaderboards.submit) on a board keeping all time, daily, weekly and monthly against one
keeping all time only, interleaved one for one; on loopback, and with SIMULATED_LATENCY_MS of network per call to
Momento and per request to DynamoDB (each period's writes run at once, so what they cost is mostly their round trips
overlapping). Goal: 1.5x.

Then a read of last week whose index expired: Plan.period_players players of last week's period in the record
(filled through its public methods, as the dev server's demo board is), none in the index, read with
weekly:previous. The first read starts the rebuild and answers 503 after its wait (3 s) unless the rebuild ends
sooner; the rebuild then runs to its end (the domain's Rebuilder, unpaced, as the reads that follow continue it,
each for up to its wait), and the read after it answers: the time from the first read to that answer. The
functions' default pace, 50 elements a second, would make the rebuild players / 50 seconds.

Reads alone would not finish it against moto: with the rebuild unpaced, one page of the record is 10,000 players,
which moto takes longer than a read's wait to read (it reads the whole partition for every Query page) and index;
a rebuild paused before its first page is done starts again from scratch, so every read would pause it at the same
place. Paced (the default), a page is what the pace writes in 2 s, which fits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.harness import (
    LATENCY,
    SIMULATED_LATENCY_MS,
    Bench,
    Measured,
    Timed,
    interleaved,
    p50,
    ratio,
    size_label,
    summary,
)
from shared.domain.errors import BoardRebuilding
from shared.domain.leaderboards import Leaderboards
from shared.domain.periods import DEFAULT_TIME_ZONE, PeriodChoice, current, previous
from shared.domain.rebuild import Outcome
from shared.domain.rules import PageRequest, SettingsChange, Submission
from shared.domain.scope import Scope

BOARDS = {"all_only": ("all",), "four_kinds": ("all", "daily", "weekly", "monthly")}
GOAL = 1.5
DEFAULT_PACE = 50  # REBUILD_ELEMENTS_PER_SECOND's default


def measure(bench: Bench) -> Measured:
    writes = {
        "loopback": _writes(bench, bench.build(), max(10, bench.plan.samples // 3)),
        LATENCY: _writes(
            bench,
            bench.build(momento_latency_ms=SIMULATED_LATENCY_MS, record_latency_ms=SIMULATED_LATENCY_MS),
            max(10, bench.plan.samples // 6),
        ),
    }
    last_week = past_period_read(bench)
    figures: dict[str, float | int] = {
        "periods_submit_ratio": writes["loopback"]["ratio_p50"],
        f"periods_submit_ratio_{LATENCY}": writes[LATENCY]["ratio_p50"],
        f"past_period_first_answer_s_{size_label(last_week['players'])}": last_week["first_answer_s"],
    }
    return Measured(figures, {"writes": writes, "past_period_read": last_week, "goal": GOAL})


def _writes(bench: Bench, boards: Leaderboards, samples: int) -> dict[str, Any]:
    for board, kinds in BOARDS.items():
        boards.update_settings(SettingsChange(board, {"periods": kinds}), bench.secret)

    def submit(board: str) -> Callable[[int], Timed]:
        return lambda i: lambda: boards.submit(Submission(board, f"player-{i % 200:03d}", float(i)), bench.secret)

    # The first rounds left out: the periods' first writes build their sets.
    times = interleaved({board: submit(board) for board in BOARDS}, samples, warm_up=min(50, samples), seed=8)
    results: dict[str, Any] = {board: summary(values) for board, values in times.items()}
    results["ratio_p50"] = ratio(p50(times["four_kinds"]), p50(times["all_only"]))
    return results


def past_period_read(bench: Bench) -> dict[str, Any]:
    players, board = bench.plan.period_players, "seasons"
    now = time.time()
    bench.leaderboards.update_settings(SettingsChange(board, {"periods": ("weekly", "all")}), bench.secret)
    last_week = Scope.of(board, previous(current("weekly", DEFAULT_TIME_ZONE, now)), 0)
    record = bench.record()  # its client waits for moto's reads of a whole period's partition
    record.touch(last_week, int(now))  # a period's registry item comes before its first score
    record.fill_board(last_week, {f"player-{i:06d}": float(i * 7 % 100_003) for i in range(players)}, int(now * 1000))
    # Never indexed, as if its set had expired: the first read starts its rebuild (unpaced) and waits for it.
    boards = bench.build(rebuild_elements_per_second=0, record_client=bench.dynamodb(patient=True))
    request = PageRequest(board, 0, 10, PeriodChoice("weekly", "previous"))
    started = time.perf_counter()
    try:
        answer, status = boards.view(request, bench.secret), 200
    except BoardRebuilding:
        status = 503
    first_read_s = time.perf_counter() - started
    rebuild_s = answer_ms = 0.0
    if status == 503:
        # The rest of the rebuild, to its end, as the reads that follow continue it (see the module's docstring).
        rebuilding = time.perf_counter()
        outcome = bench.rebuilder().run(last_week, bench.secret, deadline=time.time() + 1200)
        rebuild_s = time.perf_counter() - rebuilding
        assert outcome is Outcome.WHOLE, outcome
        answering = time.perf_counter()
        answer = boards.view(request, bench.secret)
        answer_ms = (time.perf_counter() - answering) * 1000
    first_answer_s = time.perf_counter() - started
    assert answer.value.total == players, answer
    assert answer.period is not None, answer
    assert answer.period.kind == "weekly", answer
    return {
        "players": players,
        "first_read_status": status,
        "first_read_s": round(first_read_s, 2),
        "rebuild_s": round(rebuild_s, 2),
        "answer_after_rebuild_ms": round(answer_ms, 1),
        "first_answer_s": round(first_answer_s, 2),
        "rebuild_at_default_pace_s": players / DEFAULT_PACE,
    }
