"""How the domain's answers look in JSON: entries, scores and periods, as every read route shows them."""

from __future__ import annotations

from typing import Any

from shared.domain.periods import Period
from shared.domain.rules import Entry


def entries_json(entries: list[Entry]) -> list[dict[str, Any]]:
    return [{"rank": e.rank, "name": e.player, "score": json_number(e.score)} for e in entries]


def json_number(value: float) -> int | float:
    """Integral scores read back as JSON integers (42, not 42.0); exact, since |score| <= 2^53."""
    return int(value) if value.is_integer() else value


def period_json(period: Period | None) -> dict[str, Any]:
    """The `period` field of a periodic read's answer; nothing for an all-time one."""
    return {} if period is None else {"period": period.as_json()}
