"""A scope: one ranking of a board, all time or one period, in one generation (the board's life since its last
removal). The record keeps a partition and a registry item per scope, the index a sorted set; each store has exactly
one codec that turns a Scope into its names and back, so nothing else builds or parses those names.
"""

from __future__ import annotations

from typing import NamedTuple

from shared.domain.periods import DEFAULT_TIME_ZONE, Period, named

A_DAY_S = 86_400


class PeriodKey(NamedTuple):
    """Which period: its kind and its id (`daily`, `2026-11-27`), the same text in every time zone."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> PeriodKey:
        kind, _, period_id = text.partition(":")
        return cls(kind, period_id)

    def latest_end(self) -> float:
        """The latest this period can end in any zone, as a Unix time: its end in UTC plus a day (no zone's clock
        is a day behind UTC's)."""
        return named(self.kind, self.id, DEFAULT_TIME_ZONE).end.timestamp() + A_DAY_S


class Scope(NamedTuple):
    """All time (`period` None) or one period of `board`, in `generation`."""

    board: str
    period: PeriodKey | None = None
    generation: int = 0

    @classmethod
    def of(cls, board: str, period: Period | None, generation: int) -> Scope:
        return cls(board, None if period is None else PeriodKey(period.kind, period.id), generation)

    @property
    def all_time(self) -> Scope:
        """The board's all-time scope in the same generation (whose registry item holds the board's settings)."""
        return Scope(self.board, None, self.generation)

    def __str__(self) -> str:
        """For logs: `board`, `board@daily:2026-11-27`, `board@daily:2026-11-27@2`, `board#2`."""
        text = self.board if self.period is None else f"{self.board}@{self.period}"
        return text if not self.generation else f"{text}{'#' if self.period is None else '@'}{self.generation}"
