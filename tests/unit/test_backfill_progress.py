"""The backfill's progress line (scripts/progress.py): redrawn in place on a terminal, silent anywhere else."""

from __future__ import annotations

import io

from scripts.progress import CLEAR_LINE, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_on_a_terminal_it_shows_done_of_total_and_the_rate_at_most_ten_times_a_second() -> None:
    terminal, clock = Terminal(), Clock()
    progress = Progress("weekly", 10_000, terminal, clock)
    clock.now += 2
    progress.update(1_000)
    progress.update(1_001)  # same instant: not redrawn
    clock.now += 2
    progress.update(2_500)
    progress.finish()
    assert terminal.getvalue() == (
        f"{CLEAR_LINE}weekly: 1,000/10,000 players (10%), 500/s"
        f"{CLEAR_LINE}weekly: 2,500/10,000 players (25%), 625/s"
        f"{CLEAR_LINE}"
    )


def test_elsewhere_it_writes_nothing() -> None:
    log = io.StringIO()
    progress = Progress("weekly", 10, log)
    progress.update(5)
    progress.finish()
    assert log.getvalue() == ""


def test_a_board_that_grew_during_the_copy_stops_at_100_percent() -> None:
    assert Progress("weekly", 10, io.StringIO()).line(12).startswith("weekly: 12/10 players (100%)")
