"""Which reads a set being restored can answer exactly: those that fall within its restored prefix.

A rebuild writes the record's players best first and notes the last one it restored (Restore.last): every player
ranked at or before that one is in the set with the record's value, and every player ranked before any of them too.
So a read whose answer ends at or before that player is the answer the whole set would give. Rank order is the
set's: by score, then by the name's UTF-8 bytes (on a higher-first board both reversed).
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.domain.ports import BoardView, Restore
from shared.domain.rules import BoardSettings, Entry, PageRequest, Standing


def at_or_before(score: float, player: str, restore: Restore, rules: BoardSettings) -> bool:
    """Whether a player with this score ranks at or before the last player restored."""
    if restore.last is None:
        return False
    this, last = (score, player.encode("utf-8")), (restore.last[0], restore.last[1].encode("utf-8"))
    return this <= last if rules.order == "asc" else this >= last


def page_covered(view: BoardView, request: PageRequest, restore: Restore, rules: BoardSettings) -> bool:
    """A full page whose last entry is restored (a short page may end where the restored part does)."""
    entries = view.entries
    return len(entries) == request.end_rank - request.start_rank and _restored(entries[-1:], restore, rules)


def standing_covered(standing: Standing | None, player: str, restore: Restore, rules: BoardSettings) -> bool:
    """A player found in the set, ranked within the restored part (one not found may not be restored yet)."""
    return standing is not None and at_or_before(standing.score, player, restore, rules)


def around_covered(
    entries: list[Entry] | None, player: str, each_side: int, restore: Restore, rules: BoardSettings
) -> bool:
    """The player's window with every entry asked for below the player, the last one restored (fewer than asked
    below may only mean the restored part ends there)."""
    if not entries:
        return False
    position = next((i for i, e in enumerate(entries) if e.player == player), None)
    return position is not None and len(entries) - position - 1 >= each_side and _restored(entries[-1:], restore, rules)


def friends_covered(view: BoardView, players: Sequence[str], restore: Restore, rules: BoardSettings) -> bool:
    """Every named player found, each within the restored part (one not found may not be restored yet)."""
    return len(view.entries) == len(set(players)) and _restored(view.entries, restore, rules)


def _restored(entries: Sequence[Entry], restore: Restore, rules: BoardSettings) -> bool:
    return bool(entries) and all(at_or_before(e.score, e.player, restore, rules) for e in entries)
