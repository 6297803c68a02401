"""FakeIndex: the Index port in memory, built as MomentoIndex is, on sorted sets with Momento's rules (sorted_sets.py):
the same set per scope, the same two marks stored as elements of the set and scored below every player (so on an
ascending board they take the first positions), the same positions, ranks, ties and TTLs. Each port call is one
atomic step (the real one's few calls at once can interleave with a writer's; a test that needs that interleaving
pauses the fake's calls instead).

Beyond the port, for tests: `lose(scope)` and `flush_all()` (what an eviction, an expiry or a flush does),
`members(scope)` (its players, the marks left out), `expires_at(scope)`, and the faults and call counts of every
fake (faults.py).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import get_args

from shared.domain.errors import BoardFull, StoreTimeout
from shared.domain.leaderboards import CALL_DEADLINE_S
from shared.domain.ports import BoardView, Index, Indexed, IndexedSettings, seasons_of, stale
from shared.domain.rules import MAX_ABS_SCORE, BoardSettings, Entry, Order, Standing, Ties, Update
from shared.domain.scope import Scope
from shared.platform.secret import Secret
from tests.support.fakes.clock import Clock
from tests.support.fakes.faults import Faulty, port_call, port_methods
from tests.support.fakes.sorted_sets import MAX_SET_BYTES, Bound, FakeSortedSets, SetTooLargeError

# The marks, as the index stores them: elements no player can be (player names hold no control character), scored
# below every score a player may have (|score| <= 2^53).
WHOLE_MARK = "\x00whole"
START_MARK = "\x00start"
SETTINGS_MARK = "\x00settings"
MARKS = (WHOLE_MARK, START_MARK, SETTINGS_MARK)
LEGACY_WHOLE_SCORE = -sys.float_info.max
_RANKINGS: list[tuple[Order, Update, Ties]] = [
    (order, update, ties) for order in get_args(Order) for update in get_args(Update) for ties in get_args(Ties)
]
DEFAULT_TTL_S = 86_400.0


def set_name(scope: Scope) -> Scope:
    """The set a scope is kept in: one per scope, its generation included (as the real codec names them)."""
    return scope


def settings_score(rules: BoardSettings) -> float:
    """The settings mark's score: -2^60 times (1 + the ranking settings' code + 12 times the seasons' fingerprint),
    exact in a double and below every allowed score."""
    code = _RANKINGS.index((rules.order, rules.update, rules.ties)) + len(_RANKINGS) * seasons_of(rules)
    return -(2.0**60) * (1 + code)


def settings_of(score: float) -> IndexedSettings | None:
    code = round(-score / 2.0**60) - 1
    if code < 0:
        return None
    seasons, ranking = divmod(code, len(_RANKINGS))
    return IndexedSettings(*_RANKINGS[ranking], seasons=seasons)


@dataclass(frozen=True)
class _Marks:
    whole: bool
    rules: IndexedSettings | None
    count: int  # mark elements in the set
    token: float | None = None  # the start mark's score

    def first(self, rules: BoardSettings) -> int:
        """Positions before the first player: on an ascending board the marks (scored lowest) come first."""
        return self.count if rules.order == "asc" else 0

    def indexed[T](self, value: T) -> Indexed[T]:
        return Indexed(value, self.whole, self.rules, self.token)


class FakeIndex(Faulty):
    """The Index port in memory (see the module's docstring); `key` is accepted and never checked."""

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        max_set_bytes: int = MAX_SET_BYTES,
    ) -> None:
        super().__init__(port_methods(Index))
        self.clock = clock or Clock()
        # Momento's client deadline, as the service sets it: a call held longer never lands (the protocol's
        # CALL_DEADLINE_S, which the write path's put deadlines rest on).
        self.deadline = (self.clock, CALL_DEADLINE_S, lambda: StoreTimeout("Momento: the call's deadline passed"))
        self.ttl_s = ttl_s
        self.sets = FakeSortedSets(self.clock, max_set_bytes)
        self._lock = threading.Lock()
        self._tokens = 0  # rebuild tokens handed out

    # --- what a test does to the index besides the port ------------------------------------------------------------

    def lose(self, scope: Scope) -> None:
        """The scope's set is gone (an eviction, an expiry): the next write brings it back without its marks."""
        with self._lock:
            self.sets.delete(set_name(scope))

    def flush_all(self) -> None:
        with self._lock:
            self.sets.delete_all()

    def members(self, scope: Scope) -> dict[str, float] | None:
        """The set's players and scores (the marks left out); None when there is no set."""
        with self._lock:
            elements = self.sets.by_rank(set_name(scope), 0, sys.maxsize, descending=True)
        return None if elements is None else {value: score for value, score in elements if value not in MARKS}

    def all_members(self, board: str) -> dict[Scope, dict[str, float]]:
        """Every live set of the board, any period or generation: its players and scores by set."""
        with self._lock:
            names = [name for name in self.sets.names() if isinstance(name, Scope) and name.board == board]
        return {name: members for name in names if (members := self.members(name)) is not None}

    def size(self, scope: Scope) -> int:
        """The set's players (its marks left out); 0 when there is no set."""
        return len(self.members(scope) or {})

    def expires_at(self, scope: Scope) -> float | None:
        with self._lock:
            return self.sets.expires_at(set_name(scope))

    # --- writes ----------------------------------------------------------------------------------------------------

    @port_call
    def put_score(self, scope: Scope, player: str, score: float, key: Secret) -> None:
        self._put(scope, {player: score})

    @port_call
    def put_scores(self, scope: Scope, scores: Mapping[str, float], key: Secret) -> None:
        self._put(scope, scores)

    @port_call
    def put_settings(self, scope: Scope, rules: BoardSettings, key: Secret) -> None:
        self._put(scope, {SETTINGS_MARK: settings_score(rules)})

    @port_call
    def begin_rebuild(self, scope: Scope, key: Secret) -> float:
        with self._lock:
            self._tokens += 1
            token = -(2.0**1000) * (1 + self._tokens / 2**31)
        self._put(scope, {START_MARK: token})
        return token

    @port_call
    def rebuild_token(self, scope: Scope, key: Secret) -> float | None:
        with self._lock:
            (token,) = self.sets.scores(set_name(scope), [START_MARK]) or [None]
        return token

    @port_call
    def mark_whole(self, scope: Scope, token: float, key: Secret) -> None:
        self._put(scope, {WHOLE_MARK: token})

    @port_call
    def keep_alive(self, scope: Scope, key: Secret) -> bool:
        with self._lock:
            return self.sets.increase_ttl(set_name(scope), self.ttl_s)

    @port_call
    def forget(self, scope: Scope, key: Secret) -> None:
        with self._lock:
            self.sets.delete(set_name(scope))

    @port_call
    def remove_players(self, scope: Scope, players: Sequence[str], key: Secret) -> None:
        with self._lock:
            self.sets.remove(set_name(scope), players)

    def _put(self, scope: Scope, elements: Mapping[str, float]) -> None:
        # The Momento SDK refuses a score that is not a float (an int included) before sending anything.
        refused = [player for player, score in elements.items() if not isinstance(score, float)]
        if refused:
            raise TypeError(f"a score must be a float, as the Momento SDK requires (not for {refused[:3]})")
        with self._lock:
            try:
                self.sets.put(set_name(scope), elements, self.ttl_s)
            except SetTooLargeError:
                raise BoardFull(scope.board) from None

    # --- reads -----------------------------------------------------------------------------------------------------

    @port_call
    def is_whole(self, scope: Scope, key: Secret) -> bool:
        with self._lock:
            marks = self._marks(set_name(scope))
        return marks is not None and marks.whole

    @port_call
    def scores_of(self, scope: Scope, players: Sequence[str], key: Secret) -> dict[str, float]:
        with self._lock:
            found = self.sets.scores(set_name(scope), list(players)) or [None] * len(players)
        return {player: score for player, score in zip(players, found, strict=True) if score is not None}

    @port_call
    def get_standing(self, scope: Scope, player: str, rules: BoardSettings, key: Secret) -> Indexed[Standing | None]:
        name = set_name(scope)
        with self._lock:
            marks = self._marks(name)
            if marks is None:
                return Indexed(None, whole=False)
            (score,) = self._scores(name, [player])
            position = self.sets.rank(name, player, descending=rules.order == "desc")
            if score is None or position is None or stale(rules, marks.rules):
                return marks.indexed(None)
            rank = self._better(name, score, rules) if rules.ties == "shared" else position - marks.first(rules)
            return marks.indexed(Standing(score=score, rank=rank))

    @port_call
    def page_by_rank(
        self, scope: Scope, start_rank: int, end_rank: int, rules: BoardSettings, key: Secret
    ) -> Indexed[BoardView]:
        name = set_name(scope)
        with self._lock:
            marks = self._marks(name)
            if marks is None:
                return Indexed(BoardView([], 0), whole=False)
            total = self.sets.length(name) - marks.count
            if stale(rules, marks.rules):
                return marks.indexed(BoardView([], total))
            offset = marks.first(rules)
            entries = self._ranked(name, start_rank + offset, end_rank + offset, offset, rules)
            return marks.indexed(BoardView(self._shared(name, entries, rules), total))

    @port_call
    def around(
        self, scope: Scope, player: str, each_side: int, rules: BoardSettings, key: Secret
    ) -> Indexed[list[Entry] | None]:
        name = set_name(scope)
        with self._lock:
            marks = self._marks(name)
            if marks is None:
                return Indexed(None, whole=False)
            (score,) = self._scores(name, [player])
            position = self.sets.rank(name, player, descending=rules.order == "desc")
            if score is None or position is None or stale(rules, marks.rules):
                return marks.indexed(None)
            offset = marks.first(rules)
            rank, total = position - offset, self.sets.length(name) - marks.count
            # 2n+1 entries centred on the player, the window shifted inwards near either end.
            size = 2 * each_side + 1
            first = max(0, min(rank - each_side, total - size))
            end = min(total, first + size)
            entries = self._ranked(name, first + offset, end + offset, offset, rules)
            return marks.indexed(self._shared(name, entries, rules))

    @port_call
    def friends(self, scope: Scope, players: Sequence[str], rules: BoardSettings, key: Secret) -> Indexed[BoardView]:
        name = set_name(scope)
        with self._lock:
            marks = self._marks(name)
            if marks is None:
                return Indexed(BoardView([], 0), whole=False)
            total = self.sets.length(name) - marks.count
            # The set's own ranking settings apply when only they differ from the ones given (they came with the
            # scores); other periods or time zone: stale, the caller reads again.
            if marks.rules is not None and marks.rules.same_seasons(rules):
                rules = marks.rules.applied_to(rules)
            elif stale(rules, marks.rules):
                return marks.indexed(BoardView([], total))
            found = {
                player: score
                for player, score in zip(players, self._scores(name, players), strict=True)
                if score is not None
            }
            entries = []
            for player, score in found.items():
                if rules.ties == "shared":
                    rank = self._better(name, score, rules)
                else:
                    position = self.sets.rank(name, player, descending=rules.order == "desc")
                    assert position is not None  # under the lock: the score just read is still there
                    rank = position - marks.first(rules)
                entries.append(Entry(rank=rank, player=player, score=score))
            # Ties as the set orders them: by the name's bytes, descending on a higher-first board.
            entries.sort(key=lambda e: e.player.encode("utf-8"), reverse=rules.order == "desc")
            entries.sort(key=lambda e: e.rank)
            return marks.indexed(BoardView(entries, total))

    # --- over the sorted sets --------------------------------------------------------------------------------------

    def _marks(self, name: Scope) -> _Marks | None:
        """The set's marks; None when there is no set."""
        answers = self.sets.scores(name, MARKS)
        if answers is None:
            return None
        whole, start, settings = answers
        complete = whole is not None and (whole == start or (whole == LEGACY_WHOLE_SCORE and start is None))
        present = sum(score is not None for score in answers)
        return _Marks(complete, None if settings is None else settings_of(settings), present, start)

    def _scores(self, name: Scope, players: Sequence[str]) -> list[float | None]:
        return self.sets.scores(name, players) or [None] * len(players)

    def _ranked(self, name: Scope, start: int, end: int, offset: int, rules: BoardSettings) -> list[Entry]:
        """The players at positions [start, end) of the board's order, ranked by position less the marks before."""
        fetched = self.sets.by_rank(name, start, end, descending=rules.order == "desc") or []
        return [
            Entry(rank=start + position - offset, player=value, score=score)
            for position, (value, score) in enumerate(fetched)
            if value not in MARKS
        ]

    def _shared(self, name: Scope, entries: list[Entry], rules: BoardSettings) -> list[Entry]:
        """Competition ranks when the board shares ties: each entry's rank is how many players rank strictly
        before its score."""
        if rules.ties != "shared":
            return entries
        better: dict[float, int] = {}
        return [
            entry._replace(rank=better.setdefault(entry.score, self._better(name, entry.score, rules)))
            for entry in entries
        ]

    def _better(self, name: Scope, score: float, rules: BoardSettings) -> int:
        """Players whose score ranks strictly before `score` (the marks, scored below -2^53, never counted)."""
        if rules.order == "desc":
            return self.sets.length_by_score(name, Bound(score, exclusive=True), Bound())
        return self.sets.length_by_score(name, Bound(-float(MAX_ABS_SCORE)), Bound(score, exclusive=True))
