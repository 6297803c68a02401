"""The index's one codec: a Scope's sorted-set name, and the marks a set holds besides its players (whether it is
whole, and the board's settings), as elements and scores. Nothing else in the service builds these names.

Set names are the original Node.js service's for all time (the board's name), so a team moving over keeps its sets:
`<board>` for all time, `<board>@<kind>:<id>` for a period; after a removal the generation is in every name,
`<board>#<generation>` and `<board>@<kind>:<id>@<generation>`, so a write or a rebuild still in flight for the removed
generation can only reach that generation's sets, which no read of the board takes again. Board names hold no '@',
':' or '#', so no scope's name is another's.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import get_args

from shared.domain.ports import Indexed, IndexedSettings, seasons_of
from shared.domain.rules import BoardSettings, Order, Ties, Update
from shared.domain.scope import Scope

# The set's mark of completeness, in two halves: elements no player can be (player names hold no control character),
# scored below every score a player may have (|score| <= 2^53), so they rank last and never move a player's rank.
# A rebuild puts the start mark into the emptied set first, with a score of its own (its token), and the whole mark
# last, with the same score. A set is whole when both are there with one score: a set lost at any moment of the
# rebuild lost its start mark with it, so the whole mark alone (a put brings a lost set back) never makes a set
# look whole. Reads check the marks alongside their own read. A whole mark scored LEGACY_WHOLE_SCORE, with no start
# mark, is one an earlier version put (it marked with one element): whole until the set's next rebuild.
WHOLE_MARK = "\x00whole"
START_MARK = "\x00start"
START_MARK_BYTES = START_MARK.encode("utf-8")
# The board's settings, in the set itself so a read learns them in a call it makes anyway: an element no player can
# be, scored below every allowed score (below -2^53, the value encoding the settings). Unlike the mark, writing it
# can never make a lost set look whole, so a settings change puts it at once.
SETTINGS_MARK = "\x00settings"
SETTINGS_MARK_BYTES = SETTINGS_MARK.encode("utf-8")
RANKINGS: list[tuple[Order, Update, Ties]] = [
    (order, update, ties) for order in get_args(Order) for update in get_args(Update) for ties in get_args(Ties)
]
WHOLE_MARK_BYTES = WHOLE_MARK.encode("utf-8")
LEGACY_WHOLE_SCORE = -sys.float_info.max
# Every mark, in the order reads ask for them (after their own elements).
MARKS = (WHOLE_MARK, START_MARK, SETTINGS_MARK)
MARK_BYTES = frozenset(mark.encode("utf-8") for mark in MARKS)
# The set a connection's first call asks for (its length: 0, it never exists): '~' is in no board's name.
CONNECT_PROBE = "~connect"


def set_name(scope: Scope) -> str:
    if scope.period is None:
        return scope.board + (f"#{scope.generation}" if scope.generation else "")
    return f"{scope.board}@{scope.period}" + (f"@{scope.generation}" if scope.generation else "")


@dataclass(frozen=True)
class Marks:
    """What a read learned of the set's marks (see WHOLE_MARK, SETTINGS_MARK)."""

    whole: bool
    rules: IndexedSettings | None
    present: int  # how many mark elements the set holds (they take positions before an ascending board's first)
    token: float | None = None  # the start mark's score: which rebuild filled the set

    def first(self, rules: BoardSettings) -> int:
        """Positions before the first player: on an ascending board the marks (scored lowest) rank first."""
        return self.count if rules.order == "asc" else 0

    @property
    def count(self) -> int:
        return self.present

    def indexed[T](self, value: T) -> Indexed[T]:
        return Indexed(value, self.whole, self.rules, self.token)


def settings_score(rules: BoardSettings) -> float:
    """-2^60 times (1 + the ranking settings' code + 12 times the seasons' fingerprint): an integer below 2^53
    times a power of two, so exact in a double, and below every allowed score."""
    code = RANKINGS.index((rules.order, rules.update, rules.ties)) + len(RANKINGS) * seasons_of(rules)
    return -(2.0**60) * (1 + code)


def rebuild_token(draw: int) -> float:
    """A rebuild's own score for its two marks, from a random integer below 2^31: exact in a double, distinct per
    draw, and far below every settings mark and every score."""
    return -(2.0**1000) * (1 + draw / 2**31)


def marks_of(whole: float | None, start: float | None, settings: float | None) -> Marks:
    """The marks from their scores in the set (None: the element is not there)."""
    rules = None
    if settings is not None:
        code = round(-settings / 2.0**60) - 1
        if code >= 0:
            seasons, ranking = divmod(code, len(RANKINGS))
            rules = IndexedSettings(*RANKINGS[ranking], seasons=seasons)
    complete = whole is not None and (whole == start or (whole == LEGACY_WHOLE_SCORE and start is None))
    present = sum(score is not None for score in (whole, start, settings))
    return Marks(complete, rules, present, start)
