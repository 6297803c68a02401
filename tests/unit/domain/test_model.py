"""A stateful property: random submissions, removals, settings changes, losses of the index, failed puts retried,
keep-alive runs and the passing of time, on one board over the fakes; after every step, every read that answers
(anything but BoardRebuilding, the 503 a read gives while a slow rebuild runs) agrees with a model: a dict of the
scores the record must hold, by the board's update rule, ranked by its order and ties.

The model knows nothing of the stores: it applies each accepted submission by the rule, per period (all time and, on
a board of days, the day of the submission), and ranks as the API documents (ties by the name's UTF-8 bytes, in the
board's order; shared ranks count the players strictly better).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shared.domain.errors import BoardRebuilding, PlayerNotFound, StoreUnavailable
from shared.domain.rules import BoardSettings, Entry, Standing
from tests.unit.domain.support import KEY, World, scope

BOARD = "cup"
PLAYERS = st.sampled_from(["ada", "bob", "cyd", "dee", "Eve", "éva"])  # "Eve" < "ada" < "éva" by bytes
SCORES = st.integers(-20, 20).map(float)  # small: ties are common, and every total is exact
SUBMISSIONS = st.lists(st.tuples(PLAYERS, SCORES), min_size=1, max_size=5)


def day_of(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).date().isoformat()


def ranked(scores: dict[str, float], rules: BoardSettings) -> list[Entry]:
    """The board as the API ranks it."""
    ascending = sorted(scores.items(), key=lambda item: (item[1], item[0].encode("utf-8")))
    order = ascending if rules.order == "asc" else ascending[::-1]
    entries = []
    for position, (player, score) in enumerate(order):
        better = sum(1 for s in scores.values() if (s < score if rules.order == "asc" else s > score))
        entries.append(Entry(better if rules.ties == "shared" else position, player, score))
    return entries


class BoardModel(RuleBasedStateMachine):
    """One board, its settings drawn at the start; two function instances over the same stores."""

    def __init__(self) -> None:
        super().__init__()
        self.world = World()
        self.board = BoardSettings()
        self.all_time: dict[str, float] = {}
        self.days: dict[str, dict[str, float]] = {}
        self.other = self.world.instance()

    @initialize(
        order=st.sampled_from(["desc", "asc"]),
        update=st.sampled_from(["latest", "best", "increment"]),
        ties=st.sampled_from(["distinct", "shared"]),
        daily=st.booleans(),
        paced=st.booleans(),
        submissions=SUBMISSIONS,
    )
    def configure(
        self, *, order: str, update: str, ties: str, daily: bool, paced: bool, submissions: list[tuple[str, float]]
    ) -> None:
        # Paced at 1 player a second, a rebuild of more than 3 players outlasts a read's 3 s wait: a 503.
        self.world = World(rate=1 if paced else 0)
        self.other = self.world.instance()  # a second function instance, reading with what it saw last
        periods = ["daily", "all"] if daily else ["all"]
        self.board = self.world.configure(BOARD, order=order, update=update, ties=ties, periods=periods)
        self.submit(submissions)

    # --- the model ---------------------------------------------------------------------------------------------------

    def kept(self, scores: dict[str, float], player: str, score: float) -> None:
        current = scores.get(player)
        if current is None or self.board.update == "latest":
            scores[player] = score
        elif self.board.update == "increment":
            scores[player] = current + score
        elif (score < current) if self.board.order == "asc" else (score > current):
            scores[player] = score

    def accepted(self, player: str, score: float) -> None:
        self.kept(self.all_time, player, score)
        if "daily" in self.board.periods:
            self.kept(self.days.setdefault(day_of(self.world.clock.now()), {}), player, score)

    def expected(self, period: str) -> dict[str, float]:
        if period == "all":
            return self.all_time
        now = self.world.clock.now()
        return self.days.get(day_of(now if period == "daily" else now - 86_400), {})

    # --- what clients and the schedule do -----------------------------------------------------------------------------

    @rule(submissions=SUBMISSIONS)
    def submit(self, submissions: list[tuple[str, float]]) -> None:
        for player, score in submissions:
            answered = self.world.submit(BOARD, player, score)
            self.accepted(player, score)
            first = self.all_time if self.board.periods[0] == "all" else self.expected("daily")
            assert answered == first[player]

    @rule(player=PLAYERS, score=SCORES)
    def submit_whose_put_fails_then_retry(self, player: str, score: float) -> None:
        """The index fails after the record took the score (503); the client sends the same submission again, and
        the board converges (on an increment board the retry counts again, as documented). A best board's write
        that keeps the better score, which this instance put already, puts nothing: it meets no failure."""
        self.world.index.faults.fail_next("put_score", StoreUnavailable("down"))
        # 503 when the write needed a put; a best board's write that kept the better score this instance put
        # already needs none, and answers. Either way the retry converges, which the invariants check.
        with contextlib.suppress(StoreUnavailable):
            self.world.submit(BOARD, player, score)
        self.world.index.faults.clear()
        self.accepted(player, score)
        self.world.submit(BOARD, player, score)
        self.accepted(player, score)

    @rule(player=PLAYERS)
    def remove(self, player: str) -> None:
        self.world.remove_player(BOARD, player)
        self.all_time.pop(player, None)
        for day in self.days.values():
            day.pop(player, None)

    @rule(order=st.sampled_from(["desc", "asc"]), ties=st.sampled_from(["distinct", "shared"]))
    def change_ranking(self, order: str, ties: str) -> None:
        self.board = self.world.configure(BOARD, order=order, ties=ties)

    @rule()
    def flush(self) -> None:
        self.world.index.flush_all()

    @rule(seconds=st.sampled_from([60, 3600, 9 * 3600, 20 * 3600]))
    def time_passes(self, seconds: int) -> None:
        self.world.clock.advance(seconds)

    @rule()
    def keep_alive(self) -> None:
        self.world.keep_alive()

    # --- every read that answers agrees with the model -------------------------------------------------------------

    @rule(
        period=st.sampled_from(["all", "daily", "daily:previous"]),
        player=PLAYERS,
        each_side=st.integers(1, 3),
        cold=st.booleans(),
    )
    def read(self, period: str, player: str, each_side: int, cold: bool) -> None:
        if period != "all" and "daily" not in self.board.periods:
            return
        via = self.other if cold else self.world.boards
        board = ranked(self.expected(period), self.board)
        try:
            page = self.world.page(BOARD, period, via=via).value
            assert (page.entries, page.total) == (board, len(board))
            mine = [e for e in board if e.player == player]
            if not mine:
                with pytest.raises(PlayerNotFound):
                    self.world.standing(BOARD, player, period)
                return
            assert self.world.standing(BOARD, player, period) == Standing(mine[0].score, mine[0].rank)
            at = board.index(mine[0])
            first = max(0, min(at - each_side, len(board) - (2 * each_side + 1)))
            assert self.world.around(BOARD, player, each_side, period) == board[first : first + 2 * each_side + 1]
            named = {player, "nobody", board[0].player}
            friends = self.world.friends(BOARD, *sorted(named), period=period)
            assert friends.entries == [e for e in board if e.player in named]
        except BoardRebuilding:
            pass  # a 503 while the rebuild runs: never a partial board

    @invariant()
    def the_record_holds_what_the_model_does_and_a_whole_set_what_the_record_does(self) -> None:
        rankings = {scope(BOARD): self.all_time}
        if "daily" in self.board.periods:
            rankings |= {scope(BOARD, f"daily:{day}"): scores for day, scores in self.days.items()}
        for ranking, scores in rankings.items():
            assert self.world.record.players(ranking) == scores, ranking
            if self.world.index.is_whole(ranking, KEY):
                assert self.world.index.members(ranking) == scores, ranking


BoardModel.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestBoardModel = BoardModel.TestCase
