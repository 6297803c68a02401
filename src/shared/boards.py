"""The leaderboards: the record (DynamoDB) keeps every accepted score, the index (Momento) ranks them.

Write: the record first (a failure there changes nothing anywhere), then the index, then the record is read back;
if another write changed the player since, the index gets the record's value and the read-back is repeated. Every
writer does this, so the last put of a player is always of the record's latest value: the index converges without
a per-player lock (Momento has no conditional put, so two puts can land in either order; the re-check repairs it).

Read: the index, with its mark of completeness read alongside. A set without the mark is not the whole board
(Momento lost it; only the next writes came back): the read rebuilds it from the record, or waits for the instance
rebuilding it, for at most WAIT_S, then answers 503 with Retry-After. It never answers from a partial set.

Settings (order, update rule, ties) live in the record's registry, and in each board's set as a second mark. A
write reads them from the record, strongly consistently, with the board's generation; a read learns them from the
set in a call it makes anyway, and reads again in the rare case it guessed others (a change since its last read).
Removal deletes from the record first, then from the index; writers and removers both read the record back
after touching the index, so the index converges to the record whichever lands last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from shared.config import Settings, settings
from shared.errors import (
    BoardFull,
    BoardRebuilding,
    PlayerNotFound,
    StoreThrottled,
    StoreTimeout,
    StoreUnavailable,
)
from shared.leaderboard import (
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
    increment,
)
from shared.momento_store import BoardView, Indexed, LeaderboardStore, leaderboard_store
from shared.observability import logger, tracer
from shared.rebuild import Outcome, Rebuilder
from shared.record import BoardEntry, Record, Recorded, record
from shared.secret import Secret

WAIT_S = 3.0  # how long a request waits for a board's rebuild before answering 503
POLL_S = 0.2  # how often a waiting request looks for the mark
# How long a write keeps reading the record back while other writes of the same player keep landing, before it
# gives up with 503 (a retry converges). A count would not do: a writer needs one more round per write that lands
# after its own, so 50 concurrent writers of one player need up to 50 rounds; each round is a read and a put.
WRITE_SETTLE_S = 3.0
TOUCH_EVERY_S = 3600  # how often a board's lastWrite is brought up to date (retention counts in days)
PURGE_IN_REQUEST_S = 4.0  # a board removal deletes the old scores this long, then leaves the rest to the schedule


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
        self._seen: dict[str, BoardSettings] = {}  # board -> the settings its set held at this instance's last read

    @tracer.capture_method(capture_response=False)
    def submit(self, submission: Submission, api_key: Secret) -> float:
        """Keeps the score durably by the board's update rule, then makes the index hold it (see the module's
        docstring for the order); the player's score on the board after this write."""
        board, player = submission.leaderboard, submission.player
        entry = self._record.board(board)
        rules = entry.settings if entry else BoardSettings()
        generation = entry.generation if entry else 0
        score = increment(submission.score) if rules.update == "increment" else submission.score
        now = self._clock()
        recorded = self._record.write_score(
            board, player, score, rules=rules, now_ms=int(now * 1000), generation=generation
        )
        if entry is None or now - entry.last_write_s >= TOUCH_EVERY_S:
            self._record.touch_board(board, int(now))
        self._put(board, player, recorded, generation, api_key)
        # Whether the set is whole is read while the record is read back, so it costs no time of its own.
        whole = self._parallel.submit(self._index.is_whole, board, api_key)
        self._settle(board, player, recorded.version, generation, api_key)
        if not whole.result():
            # The set was lost and this write brought it back with one player: rebuild the rest now, so a read
            # right after answers the whole board. The score is durable and indexed whatever the rebuild does.
            try:
                self._await_whole(board, api_key)
            except BoardRebuilding:
                logger.info("A write's board is still being rebuilt", extra={"leaderboard": board})
        return recorded.score

    def _settle(self, board: str, player: str, version: int | None, generation: int, api_key: Secret) -> None:
        """Reads the record back until the index holds what it holds for the player: another write that landed
        after ours is put (its own writer does the same), a player removed meanwhile is taken out of the index.
        `version`: what the index was last given (None: the player was taken out)."""
        give_up_at = self._clock() + WRITE_SETTLE_S
        while (current := self._record.get_score(board, player, generation)) is None or current.version != version:
            if current is None and version is None:
                return
            if self._clock() >= give_up_at:
                raise StoreUnavailable(f"the index of '{board}' did not settle for '{player}' in {WRITE_SETTLE_S} s")
            if current is None:
                self._index.remove_players(board, [player], api_key)
                version = None
            else:
                self._put(board, player, current, generation, api_key)
                version = current.version

    def _put(self, board: str, player: str, recorded: Recorded, generation: int, api_key: Secret) -> None:
        try:
            self._index.put_score(board, player, recorded.score, api_key)
        except BoardFull:
            # Only a new player grows a board: take the first score back, so record and index agree (507).
            if recorded.version == 1:
                self._record.take_back_new_player(board, player, generation)
            raise

    @tracer.capture_method(capture_response=False)
    def standing(self, ref: PlayerRef, api_key: Secret) -> Standing:
        """The player's score and rank; PlayerNotFound when the (whole) board does not hold the player."""
        standing, _ = self._whole(ref.leaderboard, api_key, lambda rules: self._index.get_standing(ref, rules, api_key))
        if standing is None:
            raise PlayerNotFound(ref.leaderboard, ref.player)
        return standing

    @tracer.capture_method(capture_response=False)
    def view(self, query: PageRequest | FriendsRequest, api_key: Secret) -> tuple[BoardView, BoardSettings]:
        """A page of the board, or the named players' standings; with the board's total and settings."""
        if isinstance(query, FriendsRequest):
            return self._whole(query.leaderboard, api_key, lambda rules: self._index.friends(query, rules, api_key))
        return self._whole(query.leaderboard, api_key, lambda rules: self._index.page_by_rank(query, rules, api_key))

    @tracer.capture_method(capture_response=False)
    def around(self, request: AroundRequest, api_key: Secret) -> list[Entry]:
        entries, _ = self._whole(
            request.leaderboard, api_key, lambda rules: self._index.around(request, rules, api_key)
        )
        if entries is None:
            raise PlayerNotFound(request.leaderboard, request.player)
        return entries

    @tracer.capture_method(capture_response=False)
    def update_settings(self, change: SettingsChange, api_key: Secret) -> BoardSettings:
        """Sets the given settings in the record, then in the board's set, then reads the record back until the
        set holds what it holds (two changes at once: the last put wins either way, so both check): every read
        after the answer ranks by them."""
        board = change.leaderboard
        rules = self._record.update_settings(board, change.changes, int(self._clock())).settings
        give_up_at = self._clock() + WRITE_SETTLE_S
        while True:
            self._index.put_settings(board, rules, api_key)
            current = self._record.board(board)
            if current is None or current.settings == rules:
                break
            if self._clock() >= give_up_at:
                raise StoreUnavailable(f"the settings of '{board}' did not settle in {WRITE_SETTLE_S} s")
            rules = current.settings
        self._seen[board] = rules
        return rules

    @tracer.capture_method(capture_response=False)
    def remove_player(self, ref: PlayerRef, api_key: Secret) -> None:
        """Takes the player off the board: the record first, then the index, then the record is read back (a write
        that landed meanwhile is put back, as the writer would)."""
        entry = self._record.board(ref.leaderboard)
        generation = entry.generation if entry else 0
        self._record.remove_player(ref.leaderboard, ref.player, generation)
        self._index.remove_players(ref.leaderboard, [ref.player], api_key)
        self._settle(ref.leaderboard, ref.player, None, generation, api_key)

    @tracer.capture_method(capture_response=False)
    def remove_board(self, ref: BoardRef, api_key: Secret) -> None:
        """Starts the board afresh (a new generation with the default settings), drops its set, and deletes the old
        scores for up to PURGE_IN_REQUEST_S; the schedule deletes what is left."""
        board = ref.leaderboard
        removed = self._record.remove_board(board)
        self._seen.pop(board, None)
        self._index.forget(board, api_key)
        if removed is not None:
            try:
                self._record.purge(board, removed, self._clock() + PURGE_IN_REQUEST_S)
            except (StoreThrottled, StoreTimeout, StoreUnavailable) as error:
                logger.warning(
                    "Purging a removed board's scores stopped", extra={"leaderboard": board, "error": error.message}
                )

    @tracer.capture_method(capture_response=False)
    def keep_alive(self, api_key: Secret, deadline: float) -> KeepAliveReport:
        """For every registered board: raise its set's TTL, rebuild a lost set, or retire a board past retention."""
        kept = rebuilt = pending = retired = 0
        for entry in self._record.boards():
            for generation in entry.purging:
                if self._clock() < deadline:
                    self._record.purge(entry.board, generation, deadline)
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

    def _whole[T](
        self, board: str, api_key: Secret, read: Callable[[BoardSettings], Indexed[T]]
    ) -> tuple[T, BoardSettings]:
        """The read's answer from a whole set, ranked by the settings the set holds, and those settings.

        The read is made with the settings this instance last saw for the board; the set's settings come back in
        the same calls, and a read ranked by others is made again. A set that is not whole, of a board to keep, is
        rebuilt (or its rebuild awaited) first. A board the registry does not know, or past its retention, is
        answered as the index has it: it has nothing to rebuild from.
        """
        rules = self._seen.get(board, BoardSettings())
        answer = read(rules)
        if answer.rules is not None and answer.rules != rules:
            rules = self._seen[board] = answer.rules
            answer = read(rules)
        if answer.whole and answer.rules is not None:
            return answer.value, rules
        entry = self._record.board(board)
        if entry is None or self._retired(entry):
            return answer.value, answer.rules or (entry.settings if entry else rules)
        rules = self._seen[board] = entry.settings
        if answer.whole:  # whole, but indexed before boards had settings: give it its settings
            self._index.put_settings(board, rules, api_key)
        else:
            self._await_whole(board, api_key)
        answer = read(rules)
        if not answer.whole:  # lost again within the moment since the rebuild
            raise BoardRebuilding(board)
        return answer.value, rules

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

    def _retired(self, entry: BoardEntry) -> bool:
        return self._retention_s is not None and self._clock() - entry.last_write_s > self._retention_s


@cache
def leaderboards() -> Leaderboards:
    """The execution environment's leaderboards (one Momento client, one DynamoDB client)."""
    return Leaderboards(leaderboard_store(), record(), settings())
