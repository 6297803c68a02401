"""The domain on the fakes: Leaderboards over a FakeRecord and a FakeIndex sharing one movable clock, and the few
words the tests speak in (submit, page, standing, configure, ...), so each test reads as what a user would do.

Nothing here reaches a server: every call is the domain's own, every store call a fake's (counted, and open to the
faults a test arms), and time passes only when a test moves the clock (a wait or a pacing sleep moves it too).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from shared.domain.leaderboards import Answer, KeepAliveReport, Leaderboards
from shared.domain.periods import PeriodChoice
from shared.domain.ports import BoardView
from shared.domain.rules import (
    AroundRequest,
    BoardRef,
    BoardSettings,
    Entry,
    FriendsRequest,
    PageRequest,
    PlayerRef,
    SettingsChange,
    Standing,
    Submission,
)
from shared.domain.scope import PeriodKey, Scope
from shared.platform.config import Settings
from shared.platform.secret import Secret
from tests.support.fakes import Clock, FakeIndex, FakeRecord
from tests.support.fakes.clock import DEFAULT_START
from tests.support.fakes.faults import Call
from tests.support.fakes.interleave import Actor, Scheduler
from tests.support.settings import settings_for_tests

KEY = Secret("momento-api-key", "unit-key", lambda: "unit-key")
TTL_S = 86_400


def config(*, retention_days: int | None = None, rate: int = 0, ttl_s: int = TTL_S) -> Settings:
    """The functions' settings as the domain reads them: the index's TTL, the retention, the rebuild's pace."""
    return settings_for_tests(
        leaderboard_ttl=timedelta(seconds=ttl_s),
        board_retention=timedelta(days=retention_days) if retention_days else None,
        rebuild_elements_per_second=rate,
    )


def at(iso: str) -> float:
    """An ISO 8601 instant (with its offset) as a Unix time."""
    return datetime.fromisoformat(iso).timestamp()


def choice(period: str | None) -> PeriodChoice | None:
    """A read's ?period= as the API takes it: `all`, `daily`, `daily:previous`, `daily:2026-11-27`."""
    if period is None:
        return None
    kind, _, which = period.partition(":")
    return PeriodChoice(kind, which or "current")


def scope(board: str, period: str | None = None, generation: int = 0) -> Scope:
    """A ranking by name: `scope("cup")`, `scope("cup", "daily:2026-11-27")`."""
    return Scope(board, None if period is None else PeriodKey.parse(period), generation)


class World:
    """One function instance of the domain (`boards`) over a record and an index; `instance()` makes another over
    the same stores (its own memory of settings and writes, its own rebuild owner), as a second Lambda would be."""

    def __init__(
        self,
        *,
        start: str | None = None,
        retention_days: int | None = None,
        rate: int = 0,
        ttl_s: int = TTL_S,
    ) -> None:
        self.clock = Clock(at(start) if start else DEFAULT_START)
        self.record = FakeRecord()
        self.index = FakeIndex(self.clock, ttl_s=ttl_s)
        self.config = config(retention_days=retention_days, rate=rate, ttl_s=ttl_s)
        self.boards = self.instance()

    def instance(self) -> Leaderboards:
        return Leaderboards(self.index, self.record, self.config, self.clock)

    # --- time ------------------------------------------------------------------------------------------------------

    def set_time(self, iso: str) -> None:
        """Moves the clock to that instant (forward only, as time goes)."""
        self.clock.advance(at(iso) - self.clock.now())

    # --- what a client does ----------------------------------------------------------------------------------------

    def submit(self, board: str, player: str, score: float, *, via: Leaderboards | None = None) -> float:
        return (via or self.boards).submit(Submission(board, player, float(score)), KEY)

    def configure(self, board: str, **changes: Any) -> BoardSettings:
        """A settings change as the API takes it: order=, update=, ties=, periods=[...], time_zone=."""
        given: dict[str, str | tuple[str, ...]] = {
            "timeZone" if name == "time_zone" else name: tuple(value) if isinstance(value, list | tuple) else str(value)
            for name, value in changes.items()
        }
        return self.boards.update_settings(SettingsChange(board, given), KEY)

    def page(
        self, board: str, period: str | None = None, start: int = 0, end: int = 100, *, via: Leaderboards | None = None
    ) -> Answer[BoardView]:
        return (via or self.boards).view(PageRequest(board, start, end, choice(period)), KEY)

    def ranking(self, board: str, period: str | None = None, *, via: Leaderboards | None = None) -> list[Entry]:
        """The board's first hundred entries in rank order."""
        return self.page(board, period, via=via).value.entries

    def players(self, board: str, period: str | None = None) -> dict[str, float]:
        """The board's players and scores (its first hundred)."""
        return {e.player: e.score for e in self.ranking(board, period)}

    def standing(self, board: str, player: str, period: str | None = None) -> Standing:
        return self.boards.standing(PlayerRef(board, player, choice(period)), KEY).value

    def friends(self, board: str, *players: str, period: str | None = None) -> BoardView:
        return self.boards.view(FriendsRequest(board, players, choice(period)), KEY).value

    def around(self, board: str, player: str, each_side: int, period: str | None = None) -> list[Entry]:
        return self.boards.around(AroundRequest(board, player, each_side, choice(period)), KEY).value

    def remove_player(self, board: str, player: str) -> None:
        self.boards.remove_player(PlayerRef(board, player), KEY)

    def remove_board(self, board: str) -> None:
        self.boards.remove_board(BoardRef(board), KEY)

    def keep_alive(self, seconds: float = 60.0) -> KeepAliveReport:
        return self.boards.keep_alive(KEY, deadline=self.clock.now() + seconds)

    # --- what a test looks at ----------------------------------------------------------------------------------------

    def fill(self, board: str, players: int, *, prefix: str = "player-") -> None:
        """Players `player-000`, ... with scores spread out and a few ties, each submitted as a client would."""
        for i in range(players):
            self.submit(board, f"{prefix}{i:03d}", (i * 37) % 101 + (i // 2) / 8)

    def agree(self, ranking: Scope) -> bool:
        """Whether the index holds exactly the record's players and scores for the ranking."""
        return (self.index.members(ranking) or {}) == self.record.players(ranking)

    def reset_calls(self) -> None:
        self.record.reset_calls()
        self.index.reset_calls()

    def calls(self) -> tuple[dict[str, int], dict[str, int]]:
        """The round trips made since the last reset: the record's and the index's, by method."""
        return dict(self.record.calls), dict(self.index.calls)

    @contextmanager
    def no_store_calls(self) -> Iterator[None]:
        """Asserts that the block makes no call to either store (an answer from memory, a refusal before I/O)."""
        self.reset_calls()
        yield
        assert self.calls() == ({}, {})


class Background:
    """A call run on its own thread, whose error (if any) the test sees when it joins."""

    def __init__(self, call: Callable[[], object]) -> None:
        self.error: BaseException | None = None

        def run() -> None:
            try:
                call()
            except BaseException as error:  # re-raised on the test's thread by join()
                self.error = error

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "the background call did not finish"
        if self.error is not None:
            raise self.error


class Inline:
    """An executor that runs each call at once on the caller's thread, so every store call a request makes is a turn
    of that request's actor (interleave.py); the order of a request's own calls is the domain's."""

    def submit(self, call: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(call(*args))
        except Exception as error:  # the caller's .result() raises it, as a pool's would
            future.set_exception(error)
        return future


class Interleaved:
    """The world's stores under a Scheduler: requests started with `start` run one store call at a time, as the
    test steps them; calls the test makes itself (on its own thread) run at once, between two turns."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.scheduler = Scheduler(world.clock)
        self.scheduler.attach(world.record, world.index)

    def instance(self) -> Leaderboards:
        """A function instance whose requests' calls are turns (its waits too)."""
        boards = Leaderboards(
            self.world.index, self.world.record, self.world.config, self.world.clock.sleeping_with(self.scheduler.sleep)
        )
        boards._writers = boards._parallel = Inline()  # type: ignore[assignment]
        return boards

    def start(self, name: str, request: Callable[[], object]) -> Actor:
        return self.scheduler.spawn(name, request)

    def run_until(self, actor: Actor, method: str, *, nth: int = 1) -> Call:
        """Steps the actor until it waits to make its `nth` call of `method`; that call (not yet made)."""
        seen = 0
        while True:
            if actor.done:
                raise AssertionError(f"{actor.name} ended before its call #{nth} of {method} ({actor.error!r})")
            if actor.pending is not None and actor.pending.method == method:
                seen += 1
                if seen == nth:
                    return actor.pending
            self.scheduler.step(actor)

    def finish(self, actor: Actor) -> object:
        """Runs the actor to its end; its result (its error raised)."""
        self.scheduler.finish(actor)
        if actor.error is not None:
            raise actor.error
        return actor.result
