"""Rebuilding a board's index from the record, when Momento lost the set (a flush, an eviction, an expiry).

A board here is any ranking the record and the index keep, all time or one period (a Scope).

One rebuild per board at a time across all function instances: a lease in the board's registry item, taken with a
conditional write and extended after every batch; a crashed rebuilder's lease expires (LEASE) and the next one
resumes where it stopped. The rebuild reads the whole record first (a few Query pages: fast), ranks it by the
board's order, and writes it into the set best first, in batches; after each batch it reads those players back
from the record and puts again any whose score changed meanwhile (the check the write path makes, so a concurrent
write is never left overwritten by an older value), and takes out any removed meanwhile. Then it notes its progress
in the registry (Restore): every player ranked at or before the last one restored is in the set with the record's
value, so reads that fall there answer exactly while the rest is written (the top of the board first of all).
Paced from RebuildElementsPerSecond, raising the pace while Momento accepts it and halving it at its rate limit.
The set's mark of completeness goes in last, so no read takes a partial set for the whole board.
"""

from __future__ import annotations

import bisect
import enum
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from shared.domain.clock import SYSTEM_CLOCK, Clock
from shared.domain.errors import StoreThrottled
from shared.domain.ports import BoardEntry, Index, Record, Recorded, Restore
from shared.domain.rules import BoardSettings, Order
from shared.domain.scope import Scope
from shared.domain.set_walk import Element, SetGone, walk
from shared.platform.config import Settings
from shared.platform.observability import logger
from shared.platform.secret import Secret

LEASE_MS = 15_000  # longer than one batch can take (its puts and reads, each bounded by its client's timeouts)
# Players per read of the record: one Query, well under DynamoDB's 1 MB a page, so that each answers well inside
# the client's read timeout; a read of the whole record that the time cut short resumes at the next request.
RECORD_PAGE = 1_000
FIRST_BATCH = 100  # players in the first batch (the top of the board), each next one twice as many
MAX_BATCH = 500  # players per put_elements call
BATCH_SECONDS = 2  # when paced, a batch is at most what the pace writes in this long: inside a request's 3 s wait
CHECK_ROUNDS = 5  # re-reads of a batch before giving the lease up (a player written that often is still converging)
BACKOFF_S = (0.25, 0.5, 1.0, 2.0)
STARTS = 3  # rebuilds of a set lost again while it was rebuilt, before leaving it to the next caller
FASTER = 1.25  # the pace after a batch Momento took without its rate limit
SLOWER = 0.5  # the pace after Momento answered its rate limit
MIN_RATE = 10.0  # players per second the pace never falls below
MAX_RATE = 100_000.0  # and never rises above
SNAPSHOTS = 4  # readings of the record an instance keeps, so the next request there resumes without reading again


class Outcome(enum.Enum):
    WHOLE = "whole"  # the set holds every player and its mark
    BUSY = "busy"  # another instance holds the lease
    PAUSED = "paused"  # the time ran out first, or the caller had the batches it asked for; the progress is kept
    LOST = "lost"  # the set was lost while it was rebuilt: start over (never returned by run)


def _may_hold_players_only_momento_has(lease: BoardEntry) -> bool:
    """A board's all-time set in its first generation, never rebuilt: it may come from a deployment before the
    record (the original service's sets have the board's name), holding players the record never saw."""
    return lease.scope.period is None and lease.generation == 0 and lease.indexed_at_s == 0


class Rebuilder:
    def __init__(self, index: Index, record: Record, config: Settings, clock: Clock = SYSTEM_CLOCK) -> None:
        self._index = index
        self._record = record
        self._start_rate = float(config.rebuild_elements_per_second)  # 0: unpaced
        self._clock = clock
        # The record as this instance's rebuilds read it (their first reading, ranked best first, and their last),
        # by reading, the set and the rebuild's token: a request that resumes a rebuild here need not read it again.
        self._readings: OrderedDict[tuple[str, Scope, float], _Reading] = OrderedDict()
        self._ranking: dict[tuple[str, Scope, float], list[Recorded]] = {}
        self.progress: Restore | None = None  # how far the last run got (None: whole, or it never held the lease)

    def run(self, scope: Scope, api_key: Secret, deadline: float, *, batches: int | None = None) -> Outcome:
        """Rebuilds the board's set until it is whole or `deadline` (a clock time) passes, or (with `batches`)
        until that many batches are in; `progress` says how far it got."""
        self.progress = None
        for _ in range(STARTS):
            outcome = self._run(scope, api_key, deadline, batches)
            if outcome is not Outcome.LOST:
                return outcome
        return Outcome.BUSY

    def _run(self, scope: Scope, api_key: Secret, deadline: float, batches: int | None) -> Outcome:
        # One owner per rebuild, made now: never shared by two threads, nor by execution environments that SnapStart
        # restored from one snapshot (a value made at init would be).
        owner = uuid.uuid4().hex
        lease = self._record.claim_rebuild(scope, owner, self._now_ms(), LEASE_MS)
        if lease is None:
            return Outcome.BUSY
        scope = lease.scope  # the registry's generation: a board's current one
        try:
            if self._index.is_whole(scope, api_key):
                # Another instance finished the rebuild between this one's look at the set and its claim: starting
                # over would empty a whole set for nothing (and every read meanwhile would answer 503).
                self._record.end_rebuild(scope, owner, int(self._clock.now()))
                return Outcome.WHOLE
            progress, rules = lease.restore, self._settings_of(scope)
            token = self._index.rebuild_token(scope, api_key) if progress is not None else None
            if progress is None or token != progress.token or progress.order != rules.order:
                # From scratch; or the set was lost since that rebuild stopped, its progress with it; or the board's
                # order changed since, and with it which players come first.
                logger.info("Rebuilding a board's index from the record", extra={"leaderboard": str(scope)})
                if _may_hold_players_only_momento_has(lease):
                    self._adopt(scope, api_key)
                # From scratch, the set starts empty: what it holds may include players a removal took out of the
                # record while a writer's put was in flight. A write landing from here on is in the record before
                # its put, so either this rebuild reads it or its own put lands after the clearing.
                self._index.forget(scope, api_key)
                token = self._index.begin_rebuild(scope, api_key)
                progress = Restore(token, 0, 0, None, self._start_rate, rules.order)
                # Noted at once: a request that comes after this one ran out of time reading the record resumes this
                # rebuild (and, on this instance, its reading) instead of starting another.
                if not self._record.save_rebuild_progress(scope, owner, progress, self._now_ms() + LEASE_MS):
                    return Outcome.BUSY
            return self._rebuild(scope, owner, progress, rules, api_key, deadline=deadline, batches=batches)
        except BaseException:
            self._record.pause_rebuild(scope, owner)
            raise

    def _rebuild(
        self,
        scope: Scope,
        owner: str,
        progress: Restore,
        rules: BoardSettings,
        api_key: Secret,
        *,
        deadline: float,
        batches: int | None,
    ) -> Outcome:
        """Restores the set from where `progress` got, in its order (the board's when the rebuild began)."""
        ranked = self._ranked(scope, progress.token, progress.order, deadline)
        if ranked is None:  # the time ran out reading the record: the next request here reads on
            self._record.pause_rebuild(scope, owner)
            return Outcome.PAUSED
        position = _after(ranked, progress.last, progress.order)
        progress = replace(progress, total=len(ranked), restored=position)
        self.progress = progress
        pace = _Pace(progress.rate or self._start_rate, self._clock)
        size, done = FIRST_BATCH, 0
        while position < len(ranked):
            if self._clock.now() >= deadline or (batches is not None and done >= batches):
                self._record.pause_rebuild(scope, owner)
                return Outcome.PAUSED
            batch = ranked[position : position + pace.batch(size, deadline - self._clock.now())]
            if not self._restore_batch(scope, batch, api_key, deadline, pace):
                self._record.pause_rebuild(scope, owner)
                return Outcome.PAUSED
            position, done, size = position + len(batch), done + 1, min(MAX_BATCH, 2 * size)
            last = batch[-1]
            progress = replace(
                progress, restored=position, last=(last.score, last.player), rate=pace.rate, speed=pace.speed
            )
            if not self._record.save_rebuild_progress(scope, owner, progress, self._now_ms() + LEASE_MS):
                return Outcome.BUSY  # the lease expired and another instance took over
            self.progress = progress
        if not self._reconcile(scope, progress.token, ranked, api_key, deadline=deadline, pace=pace):
            self._record.pause_rebuild(scope, owner)
            return Outcome.PAUSED
        # The settings go in before the mark, so a whole set always holds them; a change made meanwhile (which
        # puts its own) is read back after the mark and put again.
        self._index.put_settings(scope, rules, api_key)
        # The mark goes in while this rebuild holds the lease, renewed just before it: no other rebuild can have
        # started from an emptied set, and a board removal waits out a mark in flight (Leaderboards.remove_board).
        if not self._record.save_rebuild_progress(scope, owner, progress, self._now_ms() + LEASE_MS):
            return Outcome.BUSY
        self._index.mark_whole(scope, progress.token, api_key)
        # Only then is the lease given up (and the progress forgotten): a crash in between leaves a whole set and a
        # lease that expires; the next claim finds the set whole.
        self._record.end_rebuild(scope, owner, int(self._clock.now()))
        for reading in ("first", "again"):
            self._readings.pop((reading, scope, progress.token), None)
            self._ranking.pop((reading, scope, progress.token), None)
        self.progress = None
        if (current := self._settings_of(scope)) != rules:
            self._index.put_settings(scope, current, api_key)
        if not self._index.is_whole(scope, api_key):
            # The set was lost at some moment of the rebuild (its start mark with it): the mark alone does not make
            # it whole. The next rebuild starts over.
            logger.warning("A board's set was lost during its rebuild", extra={"leaderboard": str(scope)})
            return Outcome.LOST
        logger.info("Rebuilt a board's index", extra={"leaderboard": str(scope), "players": len(ranked)})
        return Outcome.WHOLE

    def _reconcile(
        self, scope: Scope, token: float, ranked: list[Recorded], api_key: Secret, *, deadline: float, pace: _Pace
    ) -> bool:
        """Reads the record again and brings the set to it: a player who joined after the first read (whose
        writer's put failed), or changed since (the batches' checks saw those of their own players only), is put;
        one removed is taken out (and put back if a write brought it back meanwhile). False when the time ran out."""
        again = self._read_all(("again", scope, token), scope, deadline)
        if again is None:
            return False
        current = {r.player: r for r in again}
        versions = {r.player: r.version for r in ranked}
        changed = [r for r in current.values() if versions.get(r.player) != r.version]
        gone = [player for player in versions if player not in current]
        if gone:
            self._index.remove_players(scope, gone, api_key)
            changed += self._record.scores_of(scope, gone).values()
        return all(
            self._restore_batch(scope, changed[start : start + MAX_BATCH], api_key, deadline, pace)
            for start in range(0, len(changed), MAX_BATCH)
        )

    def _ranked(self, scope: Scope, token: float, order: Order, deadline: float) -> list[Recorded] | None:
        """The record's players, best first by the board's order (ties as the set orders them), read once per
        rebuild on this instance: a request that resumes here finds it read. None when the time ran out first."""
        key = ("first", scope, token)
        if (ranked := self._ranking.get(key)) is not None:
            return ranked
        scores = self._read_all(key, scope, deadline)
        if scores is None:
            return None
        ranked = sorted(scores, key=lambda r: (r.score, r.player.encode("utf-8")))
        if order == "desc":
            ranked.reverse()
        self._ranking[key] = ranked
        return ranked

    def _read_all(self, key: tuple[str, Scope, float], scope: Scope, deadline: float) -> list[Recorded] | None:
        """Every score of the scope, a page at a time, resuming the reading this instance began under `key`; None
        when the time ran out first (the pages read so far are kept for the next request here)."""
        reading = self._readings.setdefault(key, _Reading())
        while len(self._readings) > SNAPSHOTS:
            stale = next(iter(self._readings))
            self._readings.pop(stale)
            self._ranking.pop(stale, None)
        return reading.scores if reading.read_on(self._record, scope, lambda: self._clock.now() < deadline) else None

    def _adopt(self, scope: Scope, api_key: Secret) -> None:
        """Copies every player of the set that the record does not hold into the record (a conditional write each:
        a score the service wrote since is newer), before the rebuild may empty the set: a board that lived only
        in Momento, from a deployment before the record, keeps its players at its first rebuild, whether a write
        or a settings change came first, and whether or not `make backfill` ran."""
        rules = self._settings_of(scope)

        def fetch(start: int, end: int) -> list[Element]:
            page = self._index.page_by_rank(scope, start, end, rules, api_key)
            return [(entry.player, entry.score) for entry in page.value.entries]

        # Players the record holds already (written since the deploy, or backfilled) need no copy: one read of the
        # record spares a conditional write each, which is all of them for a board born in this version.
        recorded = self._players(scope)
        copied = 0
        try:
            for chunk in walk(fetch):
                copied += len(self._copy(scope, [e for e in chunk if e[0] not in recorded], api_key))
        except SetGone:
            return
        if copied:
            logger.info("Adopted a board's players from its set", extra={"leaderboard": str(scope), "players": copied})

    def _players(self, scope: Scope) -> set[str]:
        """Every player the record holds for the scope."""
        reading = _Reading()
        reading.read_on(self._record, scope, lambda: True)
        return {r.player for r in reading.scores}

    def _copy(self, scope: Scope, chunk: list[Element], api_key: Secret) -> list[str]:
        """Copies players read from the set into the record where it has none; the players copied. A copy of a
        player a removal took out of the set meanwhile (its read came before the removal, its write after) is
        taken back: the removal found nothing to delete in the record yet."""
        copied = [player for player, score in chunk if self._record.add_score(scope, player, score, self._now_ms())]
        if not copied:
            return []
        still = self._index.scores_of(scope, copied, api_key)
        for player in copied:
            if player not in still:
                self._record.take_back_new_player(scope, player)
        return [player for player in copied if player in still]

    def _restore_batch(
        self, scope: Scope, batch: list[Recorded], api_key: Secret, deadline: float, pace: _Pace
    ) -> bool:
        """Puts the batch, reads those players back from the record, and puts again (or takes out) any that changed
        meanwhile, until the set holds what the record holds for them; False when the time ran out first."""
        to_put = batch
        for _ in range(CHECK_ROUNDS):
            if not self._put(scope, {r.player: r.score for r in to_put}, api_key, deadline, pace):
                return False
            current = self._record.scores_of(scope, [r.player for r in to_put])
            gone = [r.player for r in to_put if r.player not in current]
            if gone:
                self._index.remove_players(scope, gone, api_key)
            to_put = [now for r in to_put if (now := current.get(r.player)) is not None and now.version != r.version]
            if not to_put:
                return True
        return False

    def _put(self, scope: Scope, scores: dict[str, float], api_key: Secret, deadline: float, pace: _Pace) -> bool:
        """Puts the scores in one call at the pace; False when the time ran out (or Momento's rate limit
        outlasted it)."""
        for backoff in (*BACKOFF_S, None):
            if self._clock.now() >= deadline:
                return False
            try:
                self._index.put_scores(scope, scores, api_key)
            except StoreThrottled:
                pace.slower()
                if backoff is None or self._clock.now() + backoff >= deadline:
                    return False
                logger.info("Momento's rate limit: the rebuild backs off", extra={"seconds": backoff})
                self._clock.sleep(backoff)
            else:
                pace.wrote(len(scores))
                return True
        return False

    def _settings_of(self, scope: Scope) -> BoardSettings:
        """The board's settings (a period's are its board's)."""
        entry = self._record.entry(scope.all_time)
        return entry.settings if entry else BoardSettings()

    def _now_ms(self) -> int:
        return int(self._clock.now() * 1000)


def _after(ranked: list[Recorded], last: tuple[float, str] | None, order: Order) -> int:
    """Where a rebuild that restored every player up to `last` (None: none) resumes in `ranked`."""
    if last is None:
        return 0
    mark = (last[0], last[1].encode("utf-8"))
    keys = [(r.score, r.player.encode("utf-8")) for r in ranked]
    if order == "desc":
        keys.reverse()
        return len(ranked) - bisect.bisect_left(keys, mark)
    return bisect.bisect_right(keys, mark)


@dataclass
class _Reading:
    """The record's scores of one scope as read so far, a page at a time, and where the next page starts."""

    scores: list[Recorded] = field(default_factory=list)
    after: str | None = None
    done: bool = False

    def read_on(self, record: Record, scope: Scope, may_go_on: Callable[[], bool]) -> bool:
        """Reads the next pages while `may_go_on`; whether every page is read."""
        while not self.done:
            if not may_go_on():
                return False
            page, more = record.scores(scope, self.after, RECORD_PAGE)
            self.scores += page
            self.done = not more or not page
            if page:
                self.after = page[-1].player
        return True


class _Pace:
    """The rebuild's pace: players per second (0: unpaced), raised after every batch Momento took and halved at
    its rate limit, so it settles just under the account's real limit, whatever RebuildElementsPerSecond said."""

    def __init__(self, rate: float, clock: Clock) -> None:
        self.rate = rate
        self._clock = clock
        self._since = self._started = clock.now()
        self._written = 0
        self._ceiling = MAX_RATE  # a rate Momento once refused, less a margin

    @property
    def speed(self) -> float:
        """Players per second this restore really writes at (its reads and checks included), for a time left that
        holds."""
        elapsed = self._clock.now() - self._started
        return self._written / elapsed if self._written and elapsed > 0 else 0.0

    def batch(self, size: int, seconds_left: float) -> int:
        """Players in the next batch: `size`, or what the pace writes in BATCH_SECONDS (or the time left, when
        less) if that is fewer."""
        if not self.rate:
            return size
        return max(1, min(size, int(self.rate * min(BATCH_SECONDS, seconds_left))))

    def wrote(self, players: int) -> None:
        """Waits until `players` fit the pace since the last batch, then raises the pace."""
        self._written += players
        if not self.rate:
            return
        ahead = players / self.rate - (self._clock.now() - self._since)
        if ahead > 0:
            self._clock.sleep(ahead)
        self._since = self._clock.now()
        self.rate = min(self._ceiling, self.rate * FASTER)

    def slower(self) -> None:
        if self.rate:
            self._ceiling = max(MIN_RATE, self.rate * 0.9)
            self.rate = max(MIN_RATE, self.rate * SLOWER)
