"""Rebuilding a board's index from the record, when Momento lost the set (a flush, an eviction, an expiry).

A board here is any ranking the record and the index keep, all time or one period (a Scope).

One rebuild per board at a time across all function instances: a lease in the board's registry item, taken with a
conditional write and extended after every batch; a crashed rebuilder's lease expires (LEASE) and the next one
resumes where it stopped (the registry item keeps the last player done). The rebuild walks the record in pages
(one Query each), writes each page with put_elements calls, then re-reads the same page and re-puts any player whose
score changed meanwhile (the same check the write path makes, so a concurrent write is never overwritten by an older
value); paced to REBUILD_ELEMENTS_PER_SECOND and backing off when Momento answers its rate limit. The set's mark of
completeness goes in last, so no read takes a partial set for the whole board.
"""

from __future__ import annotations

import enum
import uuid

from shared.domain.clock import SYSTEM_CLOCK, Clock
from shared.domain.errors import StoreThrottled
from shared.domain.ports import BoardEntry, Index, Record, Recorded
from shared.domain.rules import BoardSettings
from shared.domain.scope import Scope
from shared.domain.set_walk import Element, SetGone, walk
from shared.platform.config import Settings
from shared.platform.observability import logger
from shared.platform.secret import Secret

LEASE_MS = 15_000  # longer than one page can take (its puts and two reads, each bounded by its client's timeouts)
# Players per read of the record: one Query (DynamoDB stops a page at 1 MB by itself when names are long), so a
# large board costs few round trips.
MAX_PAGE = 10_000
PAGE_SECONDS = 2  # when paced, a page is what the pace writes in this long: well inside a request's 3 s wait
MAX_BATCH = 500  # players per put_elements call
CHECK_ROUNDS = 5  # re-reads of a batch before giving the lease up (a player written that often is still converging)
BACKOFF_S = (0.25, 0.5, 1.0, 2.0)
STARTS = 3  # rebuilds of a set lost again while it was rebuilt, before leaving it to the next caller


class Outcome(enum.Enum):
    WHOLE = "whole"  # the set holds every player and its mark
    BUSY = "busy"  # another instance holds the lease
    PAUSED = "paused"  # the time ran out first; the progress is kept for whoever comes next
    LOST = "lost"  # the set was lost while it was rebuilt: start over (never returned by run)


def _may_hold_players_only_momento_has(lease: BoardEntry) -> bool:
    """A board's all-time set in its first generation, never rebuilt: it may come from a deployment before the
    record (the original service's sets have the board's name), holding players the record never saw."""
    return lease.scope.period is None and lease.generation == 0 and lease.indexed_at_s == 0


class Rebuilder:
    def __init__(self, index: Index, record: Record, config: Settings, clock: Clock = SYSTEM_CLOCK) -> None:
        self._index = index
        self._record = record
        self._rate = config.rebuild_elements_per_second
        self._page = max(1, min(MAX_PAGE, self._rate * PAGE_SECONDS)) if self._rate else MAX_PAGE
        self._batch = min(MAX_BATCH, self._rate) if self._rate else MAX_BATCH
        self._paced_since, self._paced = 0.0, 0
        self._clock = clock

    def run(self, scope: Scope, api_key: Secret, deadline: float) -> Outcome:
        """Rebuilds the board's set until it is whole or `deadline` (a clock time) passes."""
        for _ in range(STARTS):
            outcome = self._run(scope, api_key, deadline)
            if outcome is not Outcome.LOST:
                return outcome
        return Outcome.BUSY

    def _run(self, scope: Scope, api_key: Secret, deadline: float) -> Outcome:
        # One owner per rebuild, made now: never shared by two threads, nor by execution environments that SnapStart
        # restored from one snapshot (a value made at init would be).
        owner = uuid.uuid4().hex
        lease = self._record.claim_rebuild(scope, owner, self._now_ms(), LEASE_MS)
        if lease is None:
            return Outcome.BUSY
        scope, after = lease.scope, lease.rebuild_after  # the registry's generation: a board's current one
        try:
            if self._index.is_whole(scope, api_key):
                # Another instance finished the rebuild between this one's look at the set and its claim: starting
                # over would empty a whole set for nothing (and every read meanwhile would answer 503).
                self._record.end_rebuild(scope, owner, int(self._clock.now()))
                return Outcome.WHOLE
            token = self._index.rebuild_token(scope, api_key) if after is not None else None
            if token is None:
                after = None  # from scratch; or the set was lost since that rebuild stopped, its progress with it
            logger.info(
                "Rebuilding a board's index from the record", extra={"leaderboard": str(scope), "resume_after": after}
            )
            if token is None:
                if _may_hold_players_only_momento_has(lease):
                    self._adopt(scope, api_key)
                # From scratch, the set starts empty: what it holds may include players a removal took out of the
                # record while a writer's put was in flight. A write landing from here on is in the record before
                # its put, so either this rebuild reads it or its own put lands after the clearing.
                self._index.forget(scope, api_key)
                token = self._index.begin_rebuild(scope, api_key)
            return self._rebuild(scope, owner, after, api_key, deadline, token=token)
        except BaseException:
            self._record.pause_rebuild(scope, owner)
            raise

    def _rebuild(
        self, scope: Scope, owner: str, after: str | None, api_key: Secret, deadline: float, *, token: float
    ) -> Outcome:
        self._paced_since, self._paced, written = self._clock.now(), 0, 0
        while True:
            if self._clock.now() >= deadline:
                self._record.pause_rebuild(scope, owner)
                return Outcome.PAUSED
            indexed = self._index_batch(scope, after, api_key, deadline)
            if indexed is None:
                self._record.pause_rebuild(scope, owner)
                return Outcome.PAUSED
            batch, more = indexed
            written += len(batch)
            if batch:
                after = batch[-1].player
            if not more:
                break
            if not self._record.save_rebuild_progress(scope, owner, after, self._now_ms() + LEASE_MS):
                return Outcome.BUSY  # the lease expired and another instance took over
        # The settings go in before the mark, so a whole set always holds them; a change made meanwhile (which
        # puts its own) is read back after the mark and put again.
        rules = self._settings_of(scope)
        self._index.put_settings(scope, rules, api_key)
        # The mark goes in while this rebuild holds the lease, renewed just before it: no other rebuild can have
        # started from an emptied set, and a board removal waits out a mark in flight (Leaderboards.remove_board).
        if not self._record.save_rebuild_progress(scope, owner, after, self._now_ms() + LEASE_MS):
            return Outcome.BUSY
        self._index.mark_whole(scope, token, api_key)
        # Only then is the lease given up (and the progress forgotten): a crash in between leaves a whole set and a
        # lease that expires; the next claim finds the set whole.
        self._record.end_rebuild(scope, owner, int(self._clock.now()))
        if (current := self._settings_of(scope)) != rules:
            self._index.put_settings(scope, current, api_key)
        if not self._index.is_whole(scope, api_key):
            # The set was lost at some moment of the rebuild (its start mark with it): the mark alone does not make
            # it whole. The next rebuild starts over.
            logger.warning("A board's set was lost during its rebuild", extra={"leaderboard": str(scope)})
            return Outcome.LOST
        logger.info("Rebuilt a board's index", extra={"leaderboard": str(scope), "players": written})
        return Outcome.WHOLE

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
        """Every player the record holds for the scope, a page at a time."""
        players: set[str] = set()
        after: str | None = None
        while True:
            page, more = self._record.scores(scope, after, MAX_PAGE)
            players.update(r.player for r in page)
            if not more or not page:
                return players
            after = page[-1].player

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

    def _index_batch(
        self, scope: Scope, after: str | None, api_key: Secret, deadline: float
    ) -> tuple[list[Recorded], bool] | None:
        """Reads the next page, puts it, re-reads it and re-puts what changed (and takes out who was removed),
        until the index holds what the record holds. Returns the page as last read (its end is where the next
        starts) and whether more players follow, or None when the time ran out.
        """
        batch, more = self._record.scores(scope, after, self._page)
        if not batch:
            return batch, more
        put_versions: dict[str, int] = {}
        to_put = batch
        for _ in range(CHECK_ROUNDS):
            if not self._put(scope, to_put, api_key, deadline):
                return None
            put_versions.update((r.player, r.version) for r in to_put)
            again, more = self._record.scores(scope, after, self._page)
            # Changed since read, or new in this range (a player who joined meanwhile): put the record's value.
            to_put = [r for r in again if put_versions.get(r.player) != r.version]
            # Put, but no longer in the record within this range: removed meanwhile.
            kept = {r.player for r in again}
            end = again[-1].player if again and more else None
            gone = [p for p in put_versions if p not in kept and (end is None or p <= end)]
            if gone:
                self._index.remove_players(scope, gone, api_key)
                for player in gone:
                    del put_versions[player]
            if not to_put:
                return again, more
        return None

    def _put(self, scope: Scope, records: list[Recorded], api_key: Secret, deadline: float) -> bool:
        """Puts the records in batches, paced; False when the time ran out (or Momento's rate limit outlasted it)."""
        for start in range(0, len(records), self._batch):
            batch = {r.player: r.score for r in records[start : start + self._batch]}
            if self._clock.now() >= deadline or not self._put_batch(scope, batch, api_key, deadline):
                return False
            self._pace(len(batch))
        return True

    def _put_batch(self, scope: Scope, batch: dict[str, float], api_key: Secret, deadline: float) -> bool:
        for backoff in (*BACKOFF_S, None):
            try:
                self._index.put_scores(scope, batch, api_key)
            except StoreThrottled:
                if backoff is None or self._clock.now() + backoff >= deadline:
                    return False
                logger.info("Momento's rate limit: the rebuild backs off", extra={"seconds": backoff})
                self._clock.sleep(backoff)
            else:
                return True
        return False

    def _pace(self, written: int) -> None:
        """Keeps the rebuild at REBUILD_ELEMENTS_PER_SECOND, leaving the rest of the account's limit to traffic."""
        self._paced += written
        if self._rate:
            ahead = self._paced / self._rate - (self._clock.now() - self._paced_since)
            if ahead > 0:
                self._clock.sleep(ahead)

    def _settings_of(self, scope: Scope) -> BoardSettings:
        """The board's settings (a period's are its board's)."""
        entry = self._record.entry(scope.all_time)
        return entry.settings if entry else BoardSettings()

    def _now_ms(self) -> int:
        return int(self._clock.now() * 1000)
