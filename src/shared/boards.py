"""The leaderboards: the record (DynamoDB) keeps every accepted score, the index (Momento) ranks them.

Write: the record first (a failure there changes nothing anywhere), then the index, then the record is read back;
if another write changed the player since, the index gets the record's value and the read-back is repeated. Every
writer does this, so the last put of a player is always of the record's latest value: the index converges without
a per-player lock (Momento has no conditional put, so two puts can land in either order; the re-check repairs it).

Read: the index, with its mark of completeness read alongside. A set without the mark is not the whole board
(Momento lost it; only the next writes came back): the read rebuilds it from the record, or waits for the instance
rebuilding it, for at most WAIT_S, then answers 503 with Retry-After. It never answers from a partial set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from shared.config import Settings, settings
from shared.errors import BoardFull, BoardRebuilding, PlayerNotFound, StoreUnavailable
from shared.leaderboard import Entry, PageRequest, PlayerRef, Standing, Submission
from shared.momento_store import Indexed, LeaderboardStore, leaderboard_store
from shared.observability import logger, tracer
from shared.rebuild import Outcome, Rebuilder
from shared.record import BoardEntry, Record, Recorded, record
from shared.secret import Secret

T = TypeVar("T")

WAIT_S = 3.0  # how long a request waits for a board's rebuild before answering 503
POLL_S = 0.2  # how often a waiting request looks for the mark
# How long a write keeps reading the record back while other writes of the same player keep landing, before it
# gives up with 503 (a retry converges). A count would not do: a writer needs one more round per write that lands
# after its own, so 50 concurrent writers of one player need up to 50 rounds; each round is a read and a put.
WRITE_SETTLE_S = 3.0
TOUCH_EVERY_S = 3600  # how often an instance notes a write to a board in the registry (retention counts in days)


@dataclass(frozen=True)
class KeepAliveReport:
    kept: int = 0  # TTL raised
    rebuilt: int = 0  # the set was gone and is whole again
    pending: int = 0  # the set was gone; its rebuild continues on the next run or request
    retired: int = 0  # past the retention: left the index


class Leaderboards:
    def __init__(
        self,
        index: LeaderboardStore,
        record: Record,
        config: Settings,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._index = index
        self._record = record
        self._retention_s = config.board_retention.total_seconds() if config.board_retention else None
        self._rebuilder = Rebuilder(index, record, config, clock, sleep)
        self._clock = clock
        self._sleep = sleep
        self._parallel = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leaderboards")
        self._touched: dict[str, float] = {}  # board -> when this instance last noted a write in the registry

    @tracer.capture_method(capture_response=False)
    def submit(self, submission: Submission, api_key: Secret) -> None:
        """Keeps the score durably, then makes the index hold it (see the module's docstring for the order)."""
        board, player = submission.leaderboard, submission.player
        recorded = self._record.put_score(board, player, submission.score, int(self._clock() * 1000))
        self._touch(board)
        self._put(board, player, recorded, api_key)
        # Whether the set is whole is read while the record is read back, so it costs no time of its own.
        whole = self._parallel.submit(self._index.is_whole, board, api_key)
        give_up_at = self._clock() + WRITE_SETTLE_S
        while (current := self._record.get_score(board, player)) is not None and current.version != recorded.version:
            if self._clock() >= give_up_at:
                raise StoreUnavailable(f"the index of '{board}' did not settle for '{player}' in {WRITE_SETTLE_S} s")
            recorded = current  # another write landed between ours and our put: index the newest
            self._put(board, player, recorded, api_key)
        if not whole.result():
            # The set was lost and this write brought it back with one player: rebuild the rest now, so a read
            # right after answers the whole board. The score is durable and indexed whatever the rebuild does.
            try:
                self._await_whole(board, api_key)
            except BoardRebuilding:
                logger.info("A write's board is still being rebuilt", extra={"leaderboard": board})

    def _put(self, board: str, player: str, recorded: Recorded, api_key: Secret) -> None:
        try:
            self._index.put_score(board, player, recorded.score, api_key)
        except BoardFull:
            # Only a new player grows a board: take the first score back, so record and index agree (507).
            if recorded.version == 1:
                self._record.take_back_new_player(board, player)
            raise

    @tracer.capture_method(capture_response=False)
    def standing(self, ref: PlayerRef, api_key: Secret) -> Standing:
        """The player's score and rank; PlayerNotFound when the (whole) board does not hold the player."""
        standing = self._whole(ref.leaderboard, api_key, lambda: self._index.get_standing(ref, api_key))
        if standing is None:
            raise PlayerNotFound(ref.leaderboard, ref.player)
        return standing

    @tracer.capture_method(capture_response=False)
    def page(self, page: PageRequest, api_key: Secret) -> list[Entry]:
        return self._whole(page.leaderboard, api_key, lambda: self._index.page_by_rank(page, api_key))

    @tracer.capture_method(capture_response=False)
    def keep_alive(self, api_key: Secret, deadline: float) -> KeepAliveReport:
        """For every registered board: raise its set's TTL, rebuild a lost set, or retire a board past retention."""
        kept = rebuilt = pending = retired = 0
        for entry in self._record.boards():
            if self._retired(entry):
                self._index.forget(entry.board, api_key)
                retired += 1
            elif self._index.keep_alive(entry.board, api_key) and self._index.is_whole(entry.board, api_key):
                kept += 1
            elif self._clock() < deadline and self._rebuilder.run(entry.board, api_key, deadline) is Outcome.WHOLE:
                rebuilt += 1
            else:
                pending += 1
        return KeepAliveReport(kept, rebuilt, pending, retired)

    def _whole(self, board: str, api_key: Secret, read: Callable[[], Indexed[T]]) -> T:
        """The read's answer from a whole set: if the set is not whole and the board is one to keep, the board is
        rebuilt (or its rebuild awaited) first. A board the registry does not know, or past its retention, is
        answered as the index has it: it has nothing to rebuild from."""
        answer = read()
        if answer.whole:
            return answer.value
        entry = self._record.board(board)
        if entry is None or self._retired(entry):
            return answer.value
        self._await_whole(board, api_key)
        answer = read()
        if not answer.whole:  # lost again within the moment since the rebuild
            raise BoardRebuilding(board)
        return answer.value

    def _await_whole(self, board: str, api_key: Secret) -> None:
        """Rebuilds the board, or waits while another instance does, for at most WAIT_S."""
        deadline = self._clock() + WAIT_S
        while True:
            outcome = self._rebuilder.run(board, api_key, deadline)
            if outcome is Outcome.WHOLE:
                return
            if outcome is Outcome.PAUSED or self._clock() + POLL_S >= deadline:
                raise BoardRebuilding(board)
            self._sleep(POLL_S)
            if self._index.is_whole(board, api_key):
                return

    def _touch(self, board: str) -> None:
        """Notes the write in the registry, at most once an hour per board and instance (it registers a new
        board, and retention counts from the last write)."""
        now = self._clock()
        if now - self._touched.get(board, -TOUCH_EVERY_S) >= TOUCH_EVERY_S:
            self._record.touch_board(board, int(now))
            self._touched[board] = now

    def _retired(self, entry: BoardEntry) -> bool:
        return self._retention_s is not None and self._clock() - entry.last_write_s > self._retention_s


@cache
def leaderboards() -> Leaderboards:
    """The execution environment's leaderboards (one Momento client, one DynamoDB client)."""
    return Leaderboards(leaderboard_store(), record(), settings())
