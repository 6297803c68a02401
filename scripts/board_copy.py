"""Copies one board from its Momento set into the record: every player the record does not hold yet, in parallel.

Each copy is a conditional write (add_score): it lands only where the record has no score for the player, so
a score the service wrote since the deploy is never replaced by the older one read from Momento, and a second run
writes nothing twice; a copy of a player removed meanwhile is taken back. The set is read with the domain's
set_walk, which misses no player while the service keeps writing.

A board is registered (DynamoRecord.register_board) only once all its players are in the record: registered, its set is
rebuilt from the record whenever Momento loses it, so it must not be registered while the record holds part of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TextIO

from scripts.progress import Progress
from shared.domain.errors import KeyUnavailable, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.domain.rules import BoardSettings
from shared.domain.scope import Scope
from shared.domain.set_walk import Element, SetGone, walk
from shared.platform.secret import Secret
from shared.stores.dynamodb.record import DynamoRecord, RecordError
from shared.stores.momento.index import MomentoIndex, StoreError

WORKERS = 8  # boto3 clients are thread-safe; DynamoDB answers a conditional write in a few milliseconds
# After boto3's own retries: a burst DynamoDB (or Momento) still refuses is retried this much later, in all ~30 s.
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
RETRYABLE = (StoreThrottled, StoreUnavailable, StoreTimeout)
# A DynamoDB sort key's limit: a name longer than this cannot be copied (every double can: scores are kept as text).
MAX_SORT_KEY_BYTES = 1024
SHOWN_REFUSED = 10  # players named in a board's line; the rest counted
SHOWN_NAME_CHARS = 40


class CopyStopped(Exception):  # noqa: N818 - read as `raise CopyStopped(...)`: a reason, not a bug
    """The copy could not go on; its message says why, in words for the operator."""


@dataclass
class BoardReport:
    board: str
    total: int  # players in the set when the copy began
    copied: int = 0  # written into the record by this run
    present: int = 0  # already there: copied by an earlier run, or written by the service since the deploy
    refused: dict[str, str] = field(default_factory=dict)  # player -> why DynamoDB cannot hold it
    seconds: float = 0.0
    failure: str | None = None
    interrupted: bool = False

    @property
    def done(self) -> int:
        return self.copied + self.present + len(self.refused)

    @property
    def ok(self) -> bool:
        return self.failure is None and not self.interrupted and not self.refused

    def summary(self) -> str:
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        counts = f"{self.copied:,} copied, {self.present:,} already in the record"
        timing = f"in {self.seconds:.1f} s ({rate:,.0f}/s)"
        if self.interrupted:
            return f"{self.board}: interrupted after {counts}; run the same command again to finish"
        if self.failure is not None:
            return f"{self.board}: stopped after {counts}: {self.failure}; run the same command again to finish"
        lines = [f"{self.board}: {self.done:,} players: {counts} {timing}; board registered"]
        if self.refused:
            refused = list(self.refused.items())[:SHOWN_REFUSED]
            shown = ", ".join(f"{_shortened(player)!r} ({why})" for player, why in refused)
            more = f" and {len(self.refused) - SHOWN_REFUSED:,} more" if len(self.refused) > SHOWN_REFUSED else ""
            players = f"{len(self.refused):,} player" + ("s" if len(self.refused) > 1 else "")
            lines.append(f"{self.board}: {players} could not be copied: {shown}{more}")
        return "\n".join(lines)


@dataclass
class _Run:
    """One board's copy in progress, shared by the thread that reads the set and those that write."""

    report: BoardReport
    progress: Progress
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    handled: set[str] = field(default_factory=set)  # a step back of the walk reads some players twice


class BoardCopier:
    def __init__(
        self,
        store: MomentoIndex,
        record: DynamoRecord,
        api_key: Secret,
        *,
        workers: int = WORKERS,
        progress_stream: TextIO | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._record = record
        self._api_key = api_key
        self._workers = workers
        self._progress_stream = progress_stream
        self._clock = clock

    def copy(self, board: str, total: int) -> BoardReport:
        """Copies the board's players the record lacks, then registers the board; never raises for a failure of
        Momento or DynamoDB (the report says what happened), and stops promptly on Ctrl-C."""
        run = _Run(BoardReport(board, total), Progress(board, total, self._progress_stream))
        try:
            with ThreadPoolExecutor(self._workers, thread_name_prefix="backfill") as pool:
                try:
                    for chunk in walk(partial(self._fetch, run)):
                        fresh = [(player, score) for player, score in chunk if player not in run.handled]
                        run.handled.update(player for player, _ in fresh)
                        for _ in pool.map(partial(self._copy_one, run), fresh):
                            pass
                except BaseException:
                    run.stop.set()  # what is queued returns at once; what is running finishes its write
                    raise
            if len(run.handled) < total:
                raise CopyStopped(
                    f"its set lost players while it was read ({len(run.handled):,} of {total:,} read): it expired or "
                    "was flushed, and the players not copied are gone with it"
                )
            self._patiently(run.stop, lambda: self._record.register_board(board, int(self._clock())))
        except KeyboardInterrupt:
            run.report.interrupted = True
        except SetGone:
            run.report.failure = "its set disappeared while it was read (it expired or was flushed)"
        except (CopyStopped, RecordError, StoreError, KeyUnavailable, *RETRYABLE) as error:
            run.report.failure = _explain(error)
        finally:
            run.progress.finish()
            run.report.seconds = run.progress.elapsed()
        return run.report

    def _fetch(self, run: _Run, start: int, end: int) -> list[Element]:
        scope = Scope(run.report.board)
        # Boards being adopted have no settings yet: the default order (a copy by position, any order would do).
        page = self._patiently(
            run.stop, lambda: self._store.page_by_rank(scope, start, end, BoardSettings(), self._api_key)
        )
        return [(entry.player, entry.score) for entry in page.value.entries]

    def _copy_one(self, run: _Run, element: Element) -> None:
        if run.stop.is_set():
            return
        player, score = element
        scope = Scope(run.report.board)
        refused = _unstorable(player)
        added = refused is None and self._patiently(
            run.stop, lambda: self._record.add_score(scope, player, score, int(self._clock() * 1000))
        )
        if added and not self._patiently(run.stop, lambda: self._store.scores_of(scope, [player], self._api_key)):
            # Removed meanwhile (read from the set before the removal, copied after it): the copy goes too.
            self._patiently(run.stop, lambda: self._record.take_back_new_player(scope, player))
            added = False
        with run.lock:
            if refused is not None:
                run.report.refused[player] = refused
            elif added:
                run.report.copied += 1
            else:
                run.report.present += 1
            done = run.report.done
        run.progress.update(done)

    def _patiently[T](self, stop: threading.Event, call: Callable[[], T]) -> T:
        """The call, retried with growing pauses while the service throttles or is briefly unavailable."""
        for pause in BACKOFF_S:
            try:
                return call()
            except RETRYABLE:
                if stop.wait(pause):  # set: the copy is stopping, no point waiting
                    raise
        return call()


def _shortened(player: str) -> str:
    return player if len(player) <= SHOWN_NAME_CHARS else player[: SHOWN_NAME_CHARS - 3] + "..."


def _unstorable(player: str) -> str | None:
    """Why the record cannot hold this player (the original service took any name), or None."""
    if len(f"player#{player}".encode()) > MAX_SORT_KEY_BYTES:
        return "name longer than a DynamoDB key holds"
    return None


def _explain(error: Exception) -> str:
    if isinstance(error, StoreThrottled):
        return f"still throttled after retrying for {sum(BACKOFF_S):.0f} s ({error})"
    if isinstance(error, StoreUnavailable | StoreTimeout):
        return f"still unavailable after retrying for {sum(BACKOFF_S):.0f} s ({error})"
    if isinstance(error, KeyUnavailable):
        return f"Momento rejects the API key ({error})"
    return str(error)
