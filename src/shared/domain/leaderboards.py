"""The leaderboards: the record (DynamoDB) keeps every accepted score, the index (Momento) ranks them.

Write: the record first (a failure there changes nothing anywhere), then the index. Momento has no conditional put,
so two puts of one player could land in either order; instead of reading the record back, a write orders its put
after the previous write's: the record write notes by when its own put will have landed (PUT_LEASE_S, a lease in
the score's item) and answers the previous write's; the put waits until that one landed (this instance saw it) or
its deadline passed, and is sent only while it can land by its own. So the last put of a player is of the record's
latest value, in two round trips. A put that could not be sent in time is followed by a read-back of the record,
repeated while other writes keep landing (_settle), as is a put of a value another write left (a best board's).

Read: the index, with its mark of completeness read alongside. A set without the mark is not the whole board
(Momento lost it; only the next writes came back): the read rebuilds it from the record, or waits for the instance
rebuilding it, for at most WAIT_S, then answers 503 with Retry-After. It never answers from a partial set.

Settings (order, update rule, ties) live in the record's registry, and in each board's set as a second mark. A
write takes them, with the board's generation, from the registry entry its instance read last, for SETTINGS_CACHE_S
(read again beside the writes past half that age). A change of the settings that decide how a write applies, and
a board removal, answer no sooner than SETTINGS_CACHE_S after the registry changed, so no write that starts after
either answered uses an entry from before it; a write made with older settings that lands after one made with newer
is refused by the score's item (the settings epoch) and made again. A read learns the settings from the set in a
call it makes anyway, and reads again in the rare case it guessed others (a change since its last read).
Removal deletes from the record first (answering the deleted writes' put deadlines), then, once those puts landed
or never can, from the index, and reads the record back: a write that landed meanwhile is put back.

Periods (periods.py): each period of a board is a ranking of its own in the record and the index (a Scope), written
by every submission while current, all of them at once. The current ones (and all time) carry the settings mark at
every change, so a read of them stays one round; a past period is read by the record's settings, and rebuilt from
the record when its set has expired.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from shared.domain.clock import SYSTEM_CLOCK, Clock
from shared.domain.errors import (
    BoardFull,
    BoardRebuilding,
    PastRebuildsLimited,
    PlayerNotFound,
    SettingsMoved,
    StoreThrottled,
    StoreTimeout,
    StoreUnavailable,
)
from shared.domain.periods import KINDS, Period, PeriodChoice
from shared.domain.ports import BoardEntry, BoardView, Changed, Index, Indexed, Record, Recorded, Restore
from shared.domain.prefix import around_covered, friends_covered, page_covered, standing_covered
from shared.domain.rebuild import Outcome, Rebuilder
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
    increment,
)
from shared.domain.scope import Scope
from shared.platform.config import Settings
from shared.platform.observability import logger, tracer
from shared.platform.secret import Secret

WAIT_S = 3.0  # how long a request waits for a board's rebuild before answering 503
POLL_S = 0.2  # how often a waiting request looks for the mark
# How long a write keeps reading the record back while other writes of the same player keep landing, before it
# gives up with 503 (a retry converges). A count would not do: a writer needs one more round per write that lands
# after its own, so 50 concurrent writers of one player need up to 50 rounds; each round is a read and a put.
WRITE_SETTLE_S = 3.0
TOUCH_EVERY_S = 3600  # how often a board's (or period's) lastWrite is brought up to date (retention counts in days)
PURGE_IN_REQUEST_S = 4.0  # a board removal deletes the old scores this long, then leaves the rest to the schedule
# A write that read a board's generation just before its removal lands within its function's timeout (10 s): the
# removed generation is purged (and its sets dropped) again by the schedule until this long after the removal.
STALE_WRITE_S = 60
# A request's index calls land within its function's timeout (10 s) and one call's deadline: a change the record's
# feed reports is settled no sooner than this after it, so no put of the request that made it can land later.
REINDEX_AFTER_S = 12.0
# The longest a store call can take to land once sent (Momento's client timeout is at most 2 s): a rebuild's mark
# sent before its lease was taken lands within this.
CALL_DEADLINE_S = 2.0
GENERATION_ATTEMPTS = 3  # a write made again with the board's new generation or settings, each time one came between
# How long a write trusts the board's registry entry (settings, generation) its instance read: a settings change that
# decides how writes apply, and a board removal, answer no sooner than this after the registry changed.
SETTINGS_CACHE_S = 1.0
MAX_ENTRIES = 1024  # boards whose registry entry this instance keeps for its writes
# A write's puts land within this of its start or are followed by a read-back: the next write of the player waits
# until then (PutLease), unless its instance saw the put land. Leaves a write's record call a little time before
# its put must be sent, CALL_DEADLINE_S ahead.
PUT_LEASE_S = CALL_DEADLINE_S + 0.5
CLOCK_SKEW_S = 0.05  # how far two instances' clocks may disagree when one waits out the other's deadline
MAX_LANDED = 4096  # the puts this instance saw land, remembered for the next writer of their player
UNREAD = -1  # a version no write has: the index was given nothing yet, so the read-back puts what the record holds
MAX_TOUCHED = 1024  # periods whose registry item this instance remembers writing
# Restores of a board's past periods (a read of a period whose set expired) started per minute: each costs Momento
# operations in proportion to the period's players, so reads of many old periods cannot spend what writes need.
PAST_REBUILDS_PER_MINUTE = 10


class _Unread:
    """The record was not read yet (None means it was, and the player is not in it)."""


NOT_READ = _Unread()


@dataclass(frozen=True)
class KeepAliveReport:
    """What one run did, counted in sets: all time's and each current period's of every board."""

    kept: int = 0  # TTL raised
    rebuilt: int = 0  # the set was gone and is whole again
    pending: int = 0  # the set was gone; its rebuild continues on the next run or request
    retired: int = 0  # past the retention: left the index


@dataclass(frozen=True)
class Answer[T]:
    """A read's answer, the board's settings, and the period it was read in (None: all time)."""

    value: T
    settings: BoardSettings
    period: Period | None


class Leaderboards:
    def __init__(self, index: Index, record: Record, config: Settings, clock: Clock = SYSTEM_CLOCK) -> None:
        self._index = index
        self._record = record
        self._config = config
        self._retention_s = config.board_retention.total_seconds() if config.board_retention else None
        self._ttl_s = config.leaderboard_ttl.total_seconds()
        self._rebuilder = Rebuilder(index, record, config, clock)
        self._clock = clock
        # One thread per period a submission writes, and one per whole-check beside each read-back.
        self._writers = ThreadPoolExecutor(max_workers=len(KINDS), thread_name_prefix="leaderboards")
        self._parallel = ThreadPoolExecutor(max_workers=len(KINDS), thread_name_prefix="leaderboards-check")
        # board -> the settings its set held at this instance's last read, and the board's generation
        self._seen: dict[str, tuple[BoardSettings, int]] = {}
        # board -> its registry entry as this instance's writes last read it (None: not registered), and when the
        # read was sent (the entry is no older than that)
        self._entries: dict[str, tuple[BoardEntry | None, float]] = {}
        self._refreshing: set[str] = set()  # boards whose entry is being read again beside a write
        # (scope, request) of the puts this instance saw land
        self._landed: OrderedDict[tuple[Scope, str | None], None] = OrderedDict()
        self._touched: dict[Scope, float] = {}  # period scope -> when this instance last noted a write to it

    @tracer.capture_method(capture_response=False)
    def submit(self, submission: Submission, api_key: Secret) -> float:
        """Keeps the score durably by the board's update rule in every current period the board lists, then makes
        the index hold it (see the module's docstring for the order); the player's score after this write in the
        board's first listed period. A write that landed in a generation removed meanwhile is taken back and made
        again in the board's new one: it came after the removal."""
        request = uuid.uuid4().hex  # this submission's token: a copy its store's SDK sends again counts once
        for _ in range(GENERATION_ATTEMPTS):
            try:
                answered = self._submit(submission, request, api_key)
            except SettingsMoved:
                # Made with settings older than the score's item has (none of it landed there): read them again.
                self._entries.pop(submission.leaderboard, None)
                continue
            if answered is not None:
                return answered
        raise StoreUnavailable(f"'{submission.leaderboard}' was removed or changed again and again during a write")

    def _submit(self, submission: Submission, request: str, api_key: Secret) -> float | None:
        board, player = submission.leaderboard, submission.player
        entry = self._entry_for_write(board)
        epoch = entry.epoch if entry else 0
        rules = entry.settings if entry else BoardSettings()
        generation = entry.generation if entry else 0
        # An increment adds the score exactly as written; the other rules keep the double.
        score: float | Decimal = increment(submission) if rules.update == "increment" else submission.score
        now = self._clock.now()
        scopes = _current_scopes(board, rules, generation, now)
        now_ms = int(now * 1000)
        put_by = now + PUT_LEASE_S  # this write's puts land by then, or are followed by a read-back
        lease_ms = int(put_by * 1000)
        if rules.update == "increment" and len(scopes) > 1:
            # One transaction: every period's total or none (a partial one could not be sent again without
            # counting twice where it landed). It answers no values: the read-back below finds the totals.
            self._each(scopes, lambda scope: self._register(scope, now))
            self._record.add_to_totals(scopes, player, score, now_ms, request=request, epoch=epoch, put_by_ms=lease_ms)
            read_at = self._clock.now()
            current, registered = self._record.read_back(scopes, player)
            self._remember(board, registered, read_at)
            if (registered.generation if registered else 0) != generation:
                # The board was removed between this write's look at its generation and the write: take it back
                # (the removed generation's sets are read by no one; its scores wait for the purge, this one too).
                self._record.remove_player_from(scopes, player)
                return None
            written = current
        else:
            # Latest and best: each period on its own (a retry of the same submission converges either way).
            written = self._each(
                scopes,
                lambda scope: self._write(
                    scope, player, score, rules, now_ms, request=request, epoch=epoch, put_by_ms=lease_ms
                ),
            )
        if entry is None or now - entry.last_write_s >= TOUCH_EVERY_S:
            # Before the index: a new board's first write rebuilds its set, which needs the board registered.
            touched_at = self._clock.now()
            self._remember(board, self._record.touch(Scope(board), int(now)), touched_at)
        settled = self._index_writes(scopes, player, written, api_key, request=request, put_by=put_by)
        first = settled[0] or written[0]
        return first.score if first else float(score)

    def _write(
        self,
        scope: Scope,
        player: str,
        score: float | Decimal,
        rules: BoardSettings,
        now_ms: int,
        *,
        request: str,
        epoch: int,
        put_by_ms: int,
    ) -> Recorded:
        self._register(scope, now_ms / 1000)
        return self._record.write_score(
            scope, player, score, rules=rules, now_ms=now_ms, request=request, epoch=epoch, put_by_ms=put_by_ms
        )

    def _entry_for_write(self, board: str) -> BoardEntry | None:
        """The board's registry entry as this instance read it within SETTINGS_CACHE_S, or as read now. Past half
        that age it is read again beside the write, so a board written steadily never waits for its registry."""
        cached = self._entries.get(board)
        now = self._clock.now()
        if cached is not None and now < cached[1] + SETTINGS_CACHE_S:
            if now >= cached[1] + SETTINGS_CACHE_S / 2 and board not in self._refreshing:
                self._refreshing.add(board)
                self._parallel.submit(self._refresh_entry, board)
            return cached[0]
        return self._refresh_entry(board)

    def _refresh_entry(self, board: str) -> BoardEntry | None:
        read_at = self._clock.now()
        try:
            entry = self._record.entry(Scope(board))
        finally:
            self._refreshing.discard(board)
        self._remember(board, entry, read_at)
        return entry

    def _remember(self, board: str, entry: BoardEntry | None, read_at: float) -> None:
        """Keeps a registry entry read at `read_at` (when its read was sent), unless a later read is kept."""
        kept = self._entries.get(board)
        if kept is not None and kept[1] > read_at:
            return
        if kept is None and len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[board] = (entry, read_at)

    def _index_writes(
        self,
        scopes: list[Scope],
        player: str,
        written: list[Recorded | None],
        api_key: Secret,
        *,
        request: str,
        put_by: float,
    ) -> list[Recorded | None]:
        """Puts each scope's write into its set (see _index_write), while looking at whether the set is whole; a
        set that is not is rebuilt now (or its rebuild awaited). The player's score as each set holds it."""
        whole = [self._parallel.submit(self._index.is_whole, scope, api_key) for scope in scopes]
        settled = self._each(
            list(zip(scopes, written, strict=True)),
            lambda write: self._index_write(write[0], player, write[1], api_key, request=request, put_by=put_by),
        )
        for scope, is_whole in zip(scopes, whole, strict=True):
            if not is_whole.result():
                # The set was lost (or this is a new period's first write) and this write brought it back with
                # one player: rebuild the rest now, so a read right after answers the whole board. The score is
                # durable and indexed whatever the rebuild does.
                try:
                    self._await_whole(scope, api_key)
                except BoardRebuilding:
                    logger.info("A write's board is still being rebuilt", extra={"leaderboard": str(scope)})
        return settled

    def _index_write(
        self, scope: Scope, player: str, recorded: Recorded | None, api_key: Secret, *, request: str, put_by: float
    ) -> Recorded | None:
        """Makes the set hold what this write left in the record, without reading it back: puts land in the order
        of their writes. The write before this one put by the deadline it wrote (or never does): this put waits for
        it, and is sent only while it can land before its own deadline, which the next writer waits for. A put that
        cannot is followed by a read-back until the set holds the record's value (_settle)."""
        if recorded is None:  # removed since (a transaction's read-back)
            return None
        lease = recorded.lease
        if lease.request != request:
            # Another write's value: its writer puts it, unless its put failed. Put it too (the same value, so
            # whichever lands last), then read back, as a put with no deadline of its own must.
            if (scope, lease.request) in self._landed:
                return recorded
            self._put(scope, player, recorded, api_key)
            return self._settle(scope, player, recorded.version, api_key)
        self._await_put(scope, lease.previous_request, lease.previous_put_by_ms)
        late = self._clock.now() + CALL_DEADLINE_S > put_by
        self._put(scope, player, recorded, api_key)
        if late:
            return self._settle(scope, player, recorded.version, api_key)
        self._landed[scope, request] = None
        if len(self._landed) > MAX_LANDED:
            self._landed.popitem(last=False)
        return recorded

    def _await_put(self, scope: Scope, request: str | None, put_by_ms: int) -> None:
        """Waits until a write's put into the scope's set has landed or never will: its deadline passed, or this
        instance saw it land."""
        if not put_by_ms or (scope, request) in self._landed:
            return
        wait = put_by_ms / 1000 + CLOCK_SKEW_S - self._clock.now()
        if wait > 0:
            self._clock.sleep(wait)

    def _register(self, scope: Scope, now: float) -> None:
        """A period's registry item is written before its first score (so a period without one has none), and
        its lastWrite kept within TOUCH_EVERY_S, once per instance."""
        if scope.period is None or now - self._touched.get(scope, -TOUCH_EVERY_S) < TOUCH_EVERY_S:
            return
        self._record.touch(scope, int(now))
        if len(self._touched) >= MAX_TOUCHED:
            self._touched.clear()
        self._touched[scope] = now

    def _settle(
        self,
        scope: Scope,
        player: str,
        version: int | None,
        api_key: Secret,
        *,
        first_read: Recorded | _Unread | None = NOT_READ,
    ) -> Recorded | None:
        """Reads the record back until the index holds what it holds for the player: another write that landed
        after ours is put (its own writer does the same), a player removed meanwhile is taken out of the index.
        `version`: what the index was last given (None: the player was taken out); `first_read`: the record's
        value, when it was read already. The record's value then."""
        give_up_at = self._clock.now() + WRITE_SETTLE_S
        current = self._record.get_score(scope, player) if isinstance(first_read, _Unread) else first_read
        while current is None or current.version != version:
            if current is None and version is None:
                return None
            if self._clock.now() >= give_up_at:
                raise StoreUnavailable(f"the index of '{scope}' did not settle for '{player}' in {WRITE_SETTLE_S} s")
            if current is None:
                self._index.remove_players(scope, [player], api_key)
                version = None
            elif version is None and current.copied:
                # A removal meets a copy from the set that predates the record (adoption, a backfill), made from a
                # read before the removal: older than the removal, so it goes too (unless written since).
                self._record.take_back_new_player(scope, player)
                self._index.remove_players(scope, [player], api_key)
            else:
                self._put(scope, player, current, api_key)
                version = current.version
            current = self._record.get_score(scope, player)
        return current

    def _put(self, scope: Scope, player: str, recorded: Recorded, api_key: Secret) -> None:
        try:
            self._index.put_score(scope, player, recorded.score, api_key)
        except BoardFull:
            # Only a new player grows a board: take the first score back, so record and index agree (507).
            if recorded.version == 1:
                self._record.take_back_new_player(scope, player)
            raise

    @tracer.capture_method(capture_response=False)
    def standing(self, ref: PlayerRef, api_key: Secret) -> Answer[Standing]:
        """The player's score and rank; PlayerNotFound when the (whole) board does not hold the player."""
        answer = self._read(
            ref.leaderboard,
            ref.period,
            api_key,
            lambda scope, rules: self._index.get_standing(scope, ref.player, rules, api_key),
            lambda standing, restore, rules: standing_covered(standing, ref.player, restore, rules),
        )
        return _on_board(answer, ref.leaderboard, ref.player)

    @tracer.capture_method(capture_response=False)
    def view(self, query: PageRequest | FriendsRequest, api_key: Secret) -> Answer[BoardView]:
        """A page of the board, or the named players' standings; with the board's total and settings."""
        if isinstance(query, FriendsRequest):
            return self._read(
                query.leaderboard,
                query.period,
                api_key,
                lambda scope, rules: self._index.friends(scope, query.players, rules, api_key),
                lambda view, restore, rules: friends_covered(view, query.players, restore, rules),
            )
        return self._read(
            query.leaderboard,
            query.period,
            api_key,
            lambda scope, rules: self._index.page_by_rank(scope, query.start_rank, query.end_rank, rules, api_key),
            lambda view, restore, rules: page_covered(view, query, restore, rules),
        )

    @tracer.capture_method(capture_response=False)
    def around(self, request: AroundRequest, api_key: Secret) -> Answer[list[Entry]]:
        answer = self._read(
            request.leaderboard,
            request.period,
            api_key,
            lambda scope, rules: self._index.around(scope, request.player, request.each_side, rules, api_key),
            lambda entries, restore, rules: around_covered(entries, request.player, request.each_side, restore, rules),
        )
        return _on_board(answer, request.leaderboard, request.player)

    @tracer.capture_method(capture_response=False)
    def update_settings(self, change: SettingsChange, api_key: Secret) -> BoardSettings:
        """Sets the given settings in the record, then in every set a read may take for the board (all time and
        the current periods, by the old settings and the new), then reads the record back until they hold what it
        holds (two changes at once: the last put wins either way, so both check): every read after the answer
        ranks by them."""
        board = change.leaderboard
        before = self._record.entry(Scope(board))
        entry = self._record.update_settings(board, change.changes, int(self._clock.now()))
        changed_at = self._clock.now()
        self._entries.pop(board, None)
        give_up_at = self._clock.now() + WRITE_SETTLE_S
        while True:
            scopes = {entry.scope} | set(self._current(entry))
            if before is not None and before.generation == entry.generation:
                scopes |= set(self._current(before))
            self._put_settings(sorted(scopes, key=str), entry.settings, api_key)
            current = self._record.entry(Scope(board))
            if current is None or current.settings == entry.settings:
                break
            if self._clock.now() >= give_up_at:
                raise StoreUnavailable(f"the settings of '{board}' did not settle in {WRITE_SETTLE_S} s")
            before, entry = entry, current
        self._seen[board] = (entry.settings, entry.generation)
        if entry.epoch != (before.epoch if before else 0):
            self._outlast_entries(changed_at)
        return entry.settings

    def _outlast_entries(self, changed_at: float) -> None:
        """Waits until every instance's registry entry from before a change at `changed_at` is too old for a write
        to use (SETTINGS_CACHE_S): a write that starts after the answer reads the registry as it is now."""
        wait = changed_at + SETTINGS_CACHE_S - self._clock.now()
        if wait > 0:
            self._clock.sleep(wait)

    def _put_settings(self, scopes: list[Scope], rules: BoardSettings, api_key: Secret) -> None:
        self._each(scopes, lambda scope: self._index.put_settings(scope, rules, api_key))

    @tracer.capture_method(capture_response=False)
    def remove_player(self, ref: PlayerRef, api_key: Secret) -> None:
        """Takes the player off the board in every period and every generation the registry still knows (a removed
        one's scores wait for the purge): the record first, then every set those scopes may have, whatever their
        last write or rebuild (a rebuild in progress, or a read that put the settings mark, keeps a set alive past
        any such guess); then the record is read back for the current generation (a write that landed meanwhile
        is put back, as the writer would). The index's removals wait for the put of the last write the record's
        deletes took away, which may still be on its way."""
        entry = self._record.entry(Scope(ref.leaderboard))
        current = entry.generation if entry else 0
        generations = {current, *(entry.purging if entry else ())}
        periods = [e.scope for e in self._record.periods_of(ref.leaderboard) if e.generation in generations]
        scopes = [Scope(ref.leaderboard, None, generation) for generation in sorted(generations)] + periods
        removed = self._each(scopes, lambda scope: self._record.remove_score(scope, ref.player))
        # A write of the player may still have its put on the way: the index's removal goes after it lands.
        for scope, gone in zip(scopes, removed, strict=True):
            if gone is not None:
                self._await_put(scope, gone.lease.request, gone.lease.put_by_ms)

        def take_out(scope: Scope) -> None:
            self._index.remove_players(scope, [ref.player], api_key)
            if scope.generation == current:
                self._settle(scope, ref.player, None, api_key)

        self._each(scopes, take_out)

    @tracer.capture_method(capture_response=False)
    def remove_board(self, ref: BoardRef, api_key: Secret) -> None:
        """Starts the board afresh (a new generation with the default settings), drops every set of the removed
        generation, and deletes its scores, all periods' included, for up to PURGE_IN_REQUEST_S; the schedule
        deletes what is left, and drops the sets again, until STALE_WRITE_S after the removal.

        The registry moves first, so every write and rebuild of the old generation is fenced off from then on
        (a write's read-back sees the move; a rebuild's lease is gone). A rebuild that held the lease may have a
        mark on its way: it lands within one call's deadline, so the sets are dropped after that, mark and all.
        A failure after the move answers 503; the schedule finishes the job."""
        board = ref.leaderboard
        removed = self._record.remove_board(board, int(self._clock.now()))
        moved_at = self._clock.now()
        self._seen.pop(board, None)
        self._entries.pop(board, None)
        try:
            self._remove_board(board, removed, api_key)
        finally:
            if removed is not None:
                self._outlast_entries(moved_at)

    def _remove_board(self, board: str, removed: BoardEntry | None, api_key: Secret) -> None:
        if removed is None:
            # A board only the index knows: its set goes, and whatever a backfill interrupted before it registered
            # the board had copied into the record.
            self._index.forget(Scope(board), api_key)
            deadline = self._clock.now() + PURGE_IN_REQUEST_S
            self._record.purge(Scope(board), deadline, [], self._clock.now, finish=False)
            return
        # Every generation still purging goes too, not only the one this call saw: a registry update the SDK sent
        # twice moved the board twice, and the entry answered is the second move's. For the same reason a removal
        # that finds another generation still purging cannot tell whether its first copy took a lease away, and
        # waits as if it had.
        generations = sorted({removed.generation, *removed.purging})
        lease_held = removed.rebuild_owner is not None and removed.rebuild_until_ms > self._clock.now() * 1000
        if lease_held or removed.purging:
            self._clock.sleep(CALL_DEADLINE_S)
        registered = self._record.periods_of(board)
        deadline = self._clock.now() + PURGE_IN_REQUEST_S
        for generation in generations:
            scope = Scope(board, None, generation)
            periods = [e.scope for e in registered if e.generation == generation]
            self._forget(scope, periods, api_key)
            try:
                self._record.purge(scope, deadline, periods, self._clock.now, finish=False)
            except (StoreThrottled, StoreTimeout, StoreUnavailable) as error:
                logger.warning(
                    "Purging a removed board's scores stopped", extra={"leaderboard": board, "error": error.message}
                )
                return

    def _forget(self, board: Scope, periods: list[Scope], api_key: Secret) -> None:
        """Drops the sets of one generation of a board: all time's and every period's."""
        self._each([board, *periods], lambda scope: self._index.forget(scope, api_key))

    @tracer.capture_method(capture_response=False)
    def reindex(self, changes: Sequence[Changed], api_key: Secret) -> int:
        """The record's change feed finishes what a request left undone: a write or a removal whose instance stopped
        (a crash, its timeout) or failed between its record write and its index call. Each changed player of a
        whole set of a board's current generation is settled to what the record holds (put, or taken out), once
        no request that made the change can still land a call (REINDEX_AFTER_S); a set that is not whole is left
        to its rebuild, which reads the record. How many players were settled."""
        if not changes:
            return 0
        wait = max(change.at_s for change in changes) + REINDEX_AFTER_S - self._clock.now()
        if wait > 0:
            self._clock.sleep(wait)
        by_scope: dict[Scope, list[str]] = {}
        for change in changes:
            players = by_scope.setdefault(change.scope, [])
            if change.player not in players:
                players.append(change.player)
        current: dict[str, int] = {}
        settled = 0
        for scope, players in by_scope.items():
            if scope.board not in current:
                entry = self._record.entry(Scope(scope.board))
                current[scope.board] = entry.generation if entry else 0
            if scope.generation != current[scope.board] or not self._index.is_whole(scope, api_key):
                continue
            # Most changes were indexed by their own request: one read of the set finds the few that were not.
            indexed = self._index.scores_of(scope, players, api_key)
            for player in players:
                recorded = self._record.get_score(scope, player)
                if recorded.score == indexed.get(player) if recorded else player not in indexed:
                    continue
                self._settle(scope, player, UNREAD, api_key, first_read=recorded)
                settled += 1
        return settled

    @tracer.capture_method(capture_response=False)
    def keep_alive(self, api_key: Secret, deadline: float) -> KeepAliveReport:
        """For every registered board, each current period's set (and all time's, when listed): raise its TTL,
        rebuild it when lost, or drop it when the board is past its retention. Past periods are left to expire."""
        kept = rebuilt = pending = retired = 0
        for entry in self._record.boards():
            self._purge_removed(entry, api_key, deadline)
            for scope in self._current(entry):
                if self._retired(entry):
                    self._index.forget(scope, api_key)
                    retired += 1
                elif self._index.keep_alive(scope, api_key) and self._index.is_whole(scope, api_key):
                    kept += 1
                elif scope.period is not None and self._record.entry(scope) is None:
                    continue  # nothing scored in this period yet
                elif self._clock.now() < deadline and self._rebuilder.run(scope, api_key, deadline) is Outcome.WHOLE:
                    rebuilt += 1
                else:
                    pending += 1
        return KeepAliveReport(kept, rebuilt, pending, retired)

    def _purge_removed(self, entry: BoardEntry, api_key: Secret, deadline: float) -> None:
        """For each removed generation: its sets dropped (again: a removal that failed part way, or a write in
        flight at the removal, may have left one), its scores deleted; the generation is forgotten only once no
        write that read it before the removal can still land (STALE_WRITE_S)."""
        if not entry.purging:
            return
        periods = self._record.periods_of(entry.board)
        settled = self._clock.now() >= entry.removed_at_s + STALE_WRITE_S
        for generation in entry.purging:
            if self._clock.now() < deadline:
                removed = Scope(entry.board, None, generation)
                scopes = [e.scope for e in periods if e.generation == generation]
                self._forget(removed, scopes, api_key)
                self._record.purge(removed, deadline, scopes, self._clock.now, finish=settled)

    def _read[T](
        self,
        board: str,
        choice: PeriodChoice | None,
        api_key: Secret,
        read: Callable[[Scope, BoardSettings], Indexed[T]],
        covered: Callable[[T, Restore, BoardSettings], bool],
    ) -> Answer[T]:
        """The read's answer from a whole set of the period asked for, ranked by the settings the set holds; or,
        from a set being restored, when `covered` says the answer falls within the part restored so far.

        All time and the current periods are read with the settings this instance last saw for the board; their
        sets get every settings change, so the settings come back in the same calls, and a read made with others
        is made again (ranking ones), or made after reading the record's (other periods or time zone). A past
        period is read by the record's settings. A set that is not whole, of a board to keep, is restored (or its
        restore awaited) until the read falls within it. A board the registry does not know, or past its
        retention, is answered as the index has it: it has nothing to rebuild from; so is a period nothing was
        ever scored in.
        """
        rules, generation = self._seen.get(board, (BoardSettings(), 0))
        if choice is None or choice.which == "current":
            scope, period = self._scope(board, choice, rules, generation)
            answer = read(scope, rules)
            if answer.rules is not None and not answer.rules.of(rules) and answer.rules.same_seasons(rules):
                rules = answer.rules.applied_to(rules)
                self._seen[board] = (rules, generation)
                answer = read(scope, rules)
            if answer.whole and answer.rules is not None and answer.rules.of(rules):
                return Answer(answer.value, rules, period)
        entry = self._record.entry(Scope(board))
        if entry is None:  # a board only the index knows (not yet backfilled): as the index has it
            rules = BoardSettings()
            scope, period = self._scope(board, choice, rules, 0)
            return Answer(read(scope, rules).value, rules, period)
        rules, generation = entry.settings, entry.generation
        self._seen[board] = (rules, generation)
        scope, period = self._scope(board, choice, rules, generation)
        registered = self._record.entry(scope) if scope.period is not None else entry
        if self._retired(entry) or registered is None:
            return Answer(read(scope, rules).value, rules, period)
        answer = read(scope, rules)
        if answer.whole and answer.rules is not None and answer.rules.of(rules):
            return Answer(answer.value, rules, period)
        if not answer.whole:
            past = scope not in self._current(entry)
            value = self._partial(
                answer, scope, registered=registered, rules=rules, read=read, covered=covered, past=past, key=api_key
            )
            if value is not None:
                return Answer(value, rules, period)
            answer = read(scope, rules)
            if answer.whole and answer.rules is not None and answer.rules.of(rules):
                return Answer(answer.value, rules, period)
        if answer.whole:  # whole, but indexed before the settings it has now: give it them
            self._index.put_settings(scope, rules, api_key)
        answer = read(scope, rules)
        if not answer.whole:  # lost again within the moment since the rebuild
            raise BoardRebuilding(board)
        return Answer(answer.value, rules, period)

    def _partial[T](
        self,
        answer: Indexed[T],
        scope: Scope,
        *,
        registered: BoardEntry,
        rules: BoardSettings,
        read: Callable[[Scope, BoardSettings], Indexed[T]],
        covered: Callable[[T, Restore, BoardSettings], bool],
        past: bool,
        key: Secret,
    ) -> T | None:
        """The answer of a set that is not whole, when the read falls within the part restored so far (at once, or
        once the restore got there); None once the set is whole. A past period's restore counts against its limit."""
        if (value := _within(answer, registered.restore, rules, covered)) is not None:
            return value
        if past and not self._being_rebuilt(registered):
            self._count_past_rebuild(scope.board)
        return self._restore_for(scope, rules, read, covered, key)

    def _restore_for[T](
        self,
        scope: Scope,
        rules: BoardSettings,
        read: Callable[[Scope, BoardSettings], Indexed[T]],
        covered: Callable[[T, Restore, BoardSettings], bool],
        api_key: Secret,
    ) -> T | None:
        """Restores the set a batch at a time (or waits while another instance does) until the read falls within
        the restored part (its answer) or the set is whole (None), for at most WAIT_S; BoardRebuilding, with the
        progress, after."""
        deadline = self._clock.now() + WAIT_S
        progress: Restore | None = None
        while True:
            outcome = self._rebuilder.run(scope, api_key, deadline, batches=1)
            if outcome is Outcome.BUSY:  # another instance restores it: its progress is in the registry
                self._clock.sleep(POLL_S)
                registered = self._record.entry(scope)
                progress = registered.restore if registered is not None else None
            elif outcome is Outcome.PAUSED:
                progress = self._rebuilder.progress
            answer = read(scope, rules)
            if answer.whole:
                return None
            if (value := _within(answer, progress, rules, covered)) is not None:
                return value
            if self._clock.now() + POLL_S >= deadline:
                if progress is None or not progress.total:  # (not known before the record was read)
                    raise BoardRebuilding(scope.board)
                raise BoardRebuilding(scope.board, progress.restored, progress.total, progress.eta_s())

    def _scope(
        self, board: str, choice: PeriodChoice | None, rules: BoardSettings, generation: int
    ) -> tuple[Scope, Period | None]:
        """The ranking a read means (the period asked for, or the board's first listed one's current period), and
        that period."""
        choice = choice or PeriodChoice(rules.periods[0], "current")
        period = choice.resolve(rules.time_zone, self._clock.now())
        return Scope.of(board, period, generation), period

    def _current(self, entry: BoardEntry) -> list[Scope]:
        """The rankings the board's submissions write now: all time (when listed) and each listed kind's current
        period."""
        return _current_scopes(entry.board, entry.settings, entry.generation, self._clock.now())

    def _each[I, R](self, items: list[I], call: Callable[[I], R]) -> list[R]:
        """`call` on every item at once (the first on this thread); their results in order, or the first error
        after all have finished (so none is left half done behind the answer)."""
        others = [self._writers.submit(call, item) for item in items[1:]]
        results: list[Any] = []
        error: BaseException | None = None
        outcomes: list[Callable[[], R]] = [other.result for other in others]
        if items:
            outcomes.insert(0, lambda: call(items[0]))
        for outcome in outcomes:
            try:
                results.append(outcome())
            except BaseException as failure:  # re-raised below, once every call is done
                error = error or failure
        if error is not None:
            raise error
        return results

    def _await_whole(self, scope: Scope, api_key: Secret) -> None:
        """Rebuilds the board, or waits while another instance does, for at most WAIT_S."""
        deadline = self._clock.now() + WAIT_S
        while True:
            outcome = self._rebuilder.run(scope, api_key, deadline)
            if outcome is Outcome.WHOLE:
                return
            if outcome is Outcome.PAUSED or self._clock.now() + POLL_S >= deadline:
                raise BoardRebuilding(scope.board)
            self._clock.sleep(POLL_S)
            if self._index.is_whole(scope, api_key):
                return

    def _being_rebuilt(self, entry: BoardEntry) -> bool:
        """Whether another instance holds the scope's rebuild lease (a read then waits for it, starting nothing)."""
        return entry.rebuild_owner is not None and entry.rebuild_until_ms > self._clock.now() * 1000

    def _count_past_rebuild(self, board: str) -> None:
        """Counts a restore of one of the board's past periods; PastRebuildsLimited past the minute's limit."""
        wait = self._record.count_past_rebuild(board, int(self._clock.now()), PAST_REBUILDS_PER_MINUTE)
        if wait is not None:
            raise PastRebuildsLimited(board, PAST_REBUILDS_PER_MINUTE, wait)

    def _retired(self, entry: BoardEntry) -> bool:
        return self._retention_s is not None and self._clock.now() - entry.last_write_s > self._retention_s


def _current_scopes(board: str, rules: BoardSettings, generation: int, now: float) -> list[Scope]:
    """All time (when listed) and each listed kind's current period at `now`, in the board's zone."""
    return [
        Scope.of(board, PeriodChoice(kind, "current").resolve(rules.time_zone, now), generation)
        for kind in rules.periods
    ]


def _within[T](
    answer: Indexed[T],
    progress: Restore | None,
    rules: BoardSettings,
    covered: Callable[[T, Restore, BoardSettings], bool],
) -> T | None:
    """The answer of a set being restored, when it falls within the part restored so far by the rebuild that
    fills this set (a page's total then counts the record's players, not those restored yet); else None."""
    # A set being restored gets its settings mark at the end: until then it is read by the registry's settings.
    if progress is None or answer.token != progress.token or progress.order != rules.order:
        return None
    if answer.rules is not None and not answer.rules.of(rules):
        return None
    if not covered(answer.value, progress, rules):
        return None
    if isinstance(answer.value, BoardView):
        return cast("T", BoardView(answer.value.entries, max(answer.value.total, progress.total)))
    return answer.value


def _on_board[T](answer: Answer[T | None], board: str, player: str) -> Answer[T]:
    """A read about one player, who must be on the board (in the period read)."""
    if answer.value is None:
        raise PlayerNotFound(board, player)
    return Answer(answer.value, answer.settings, answer.period)
