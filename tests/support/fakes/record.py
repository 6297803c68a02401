"""FakeRecord: the Record port in memory, with DynamoDB's semantics as DynamoRecord uses them.

- Every read is strongly consistent, every write one conditional step under the fake's lock: the condition and the
  change are atomic, as a conditional UpdateItem is.
- A score item keeps what the real one keeps: a latest or best score's exact double and its total (rounded to 12
  decimal places, within +-2^53); an increment's exact decimal total alone; a version, +1 per write that changed it.
- add_to_totals is a transaction: every scope's total or none (a total that would pass 2^53 fails all).
- An increment's request token is kept while a copy of it can still arrive (RESEND_WITHIN_S after its start): a copy
  counts once however many writes land between.
- Players are listed in their names' UTF-8 byte order (DynamoDB's order of string sort keys; Python orders str by
  code point, which is the same order). A page that stops at its limit says more may follow, as DynamoDB's
  LastEvaluatedKey does, even when none does.
- The registry: one item per board (whatever the generation; it holds the current one), one per period and
  generation; the rebuild lease as conditions on those items.

Faults and call counts as for every fake (faults.py); `players(scope)` reads a scope's scores for assertions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Context, Decimal

from shared.domain.errors import InvalidInput, SettingsMoved
from shared.domain.periods import DEFAULT_PERIODS
from shared.domain.ports import BoardEntry, Changed, PutLease, Record, Recorded, Restore
from shared.domain.rules import MAX_ABS_SCORE, MAX_INCREMENT_DECIMALS, SETTING_VALUES, WRITE_SETTINGS, BoardSettings
from shared.domain.scope import PeriodKey, Scope
from shared.stores.dynamodb.resends import RESEND_WITHIN_S
from tests.support.fakes.faults import Faulty, port_call, port_methods

REQUESTS_KEPT = 2  # as the real item's put leases: a write's token and the one before it
# Copies of an increment land within the real store's bound after its start; its token is kept at least that long.
SEEN_KEPT_MS = 2 * RESEND_WITHIN_S * 1000
PURGE_PAGE = 500  # score items deleted between looks at the deadline, as the real purge does
_DECIMALS = Decimal(1).scaleb(-MAX_INCREMENT_DECIMALS)
_WIDE = Context(prec=60)
_DYNAMODB = Context(prec=38)  # DynamoDB's numbers: 38 significant digits


@dataclass
class _Score:
    exact: float | None  # latest and best: the double as given; None once an increment wrote the item
    total: Decimal
    version: int
    updated_ms: int
    requests: tuple[str, ...] = ()  # the last two writes' request tokens (REQUESTS_KEPT)
    seen: Mapping[str, int] = field(default_factory=dict)  # increments' request tokens -> their start (ms)
    copied: bool = False  # add_score's: copied from a set, not written since
    epoch: int = 0  # the board's settings epoch the last write was made with
    put_by: tuple[int, int] = (0, 0)  # the previous write's put deadline and the last one's (ms; 0: none)

    def recorded(self, player: str) -> Recorded:
        score = self.exact if self.exact is not None else float(self.total)
        lease = PutLease(
            request=self.requests[-1] if self.requests else None,
            put_by_ms=self.put_by[1],
            previous_request=self.requests[-2] if len(self.requests) > 1 else None,
            previous_put_by_ms=self.put_by[0],
        )
        return Recorded(player, score, self.version, self.copied, lease)

    def written_by(self, request: str | None, put_by_ms: int) -> _Score:
        """This item after a write by `request` whose put lands by `put_by_ms` (as the real update's SETs)."""
        requests = (*self.requests, request)[-REQUESTS_KEPT:] if request is not None else self.requests
        put_by = (self.put_by[1], put_by_ms) if put_by_ms else self.put_by
        return replace(self, requests=requests, put_by=put_by)


@dataclass
class _Registered:
    """A registry item's attributes (None: absent)."""

    last_write: int | None = None
    created_at: int | None = None
    settings: dict[str, str] = field(default_factory=dict)  # by the API's names, periods comma-separated
    generation: int | None = None  # a board's current generation
    purging: set[int] = field(default_factory=set)
    rebuild_owner: str | None = None
    rebuild_until: int | None = None
    restore: Restore | None = None
    indexed_at: int | None = None
    removed_at: int | None = None
    epoch: int = 0
    past_rebuilds: tuple[int, int] = (-1, 0)  # the minute and how many past periods were restored in it


def registry_key(scope: Scope) -> Scope:
    """A board's item (one, whatever the generation), or a period's (one per generation)."""
    return scope if scope.period is not None else Scope(scope.board)


class FakeRecord(Faulty):
    """The Record port in memory (see the module's docstring)."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        super().__init__(port_methods(Record))
        self._scores: dict[Scope, dict[str, _Score]] = {}  # by partition (a scope), then player
        self._registry: dict[Scope, _Registered] = {}
        self._lock = threading.Lock()
        self._clock = clock or (lambda: 0.0)
        # Every change of a score item, in order: what DynamoDB Streams would deliver (see take_changes).
        self._feed: list[Changed] = []

    def take_changes(self) -> list[Changed]:
        """The changes the feed holds, oldest first, taken off it (as a stream's reader takes a batch)."""
        with self._lock:
            taken, self._feed = self._feed, []
        return taken

    def put_back(self, changes: list[Changed]) -> None:
        """Changes a reader could not finish go back to the front of the feed (a stream retries its batch)."""
        with self._lock:
            self._feed[:0] = changes

    def _changed(self, scope: Scope, player: str) -> None:
        """Notes a change (under the lock) for the feed."""
        self._feed.append(Changed(scope, player, self._clock()))

    # --- what a test reads besides the port ------------------------------------------------------------------------

    def players(self, scope: Scope) -> dict[str, float]:
        """The scope's players and scores, as get_score reads them."""
        with self._lock:
            return {p: s.recorded(p).score for p, s in sorted(self._scores.get(scope, {}).items())}

    def count(self, scope: Scope) -> int:
        """How many players the scope holds."""
        with self._lock:
            return len(self._scores.get(scope, {}))

    def totals(self, scope: Scope) -> dict[str, Decimal]:
        """The scope's players and exact totals, as the record adds them."""
        with self._lock:
            return {p: s.total for p, s in sorted(self._scores.get(scope, {}).items())}

    def partitions(self, board: str) -> list[Scope]:
        """Every scope of the board, any period or generation, that holds a score item."""
        with self._lock:
            return sorted((scope for scope, items in self._scores.items() if scope.board == board and items), key=str)

    # --- scores ----------------------------------------------------------------------------------------------------

    @port_call
    def write_score(
        self,
        scope: Scope,
        player: str,
        score: float | Decimal,
        *,
        rules: BoardSettings,
        now_ms: int,
        request: str | None = None,
        epoch: int = 0,
        put_by_ms: int = 0,
    ) -> Recorded:
        with self._lock:
            if rules.update == "increment":
                return self._increment([scope], player, score, now_ms, request, epoch=epoch, put_by_ms=put_by_ms)[0]
            score = float(score)
            current = self._scores.get(scope, {}).get(player)
            _check_epoch(current, scope, epoch)
            total = _total_of(score)
            if rules.update == "best" and current is not None and not _better(score, total, current, rules):
                return current.recorded(player)
            version = (current.version if current else 0) + 1
            before = current or _Score(None, Decimal(0), 0, now_ms)
            written = replace(
                before, exact=score, total=total, version=version, updated_ms=now_ms, copied=False, epoch=epoch
            ).written_by(request, put_by_ms)
            self._scores.setdefault(scope, {})[player] = written
            self._changed(scope, player)
            return written.recorded(player)

    @port_call
    def add_to_totals(
        self,
        scopes: Sequence[Scope],
        player: str,
        amount: float | Decimal,
        now_ms: int,
        *,
        request: str | None = None,
        epoch: int = 0,
        put_by_ms: int = 0,
    ) -> None:
        with self._lock:
            self._increment(scopes, player, amount, now_ms, request, epoch=epoch, put_by_ms=put_by_ms)

    def _increment(
        self,
        scopes: Sequence[Scope],
        player: str,
        amount: float | Decimal,
        now_ms: int,
        request: str | None,
        *,
        epoch: int,
        put_by_ms: int = 0,
    ) -> list[Recorded]:
        """Adds `amount` to the player's total in every scope, or (a total would pass 2^53) to none; an item
        written with a later settings epoch refuses it first; a request token the items already hold was counted:
        nothing changes."""
        exact = amount if isinstance(amount, Decimal) else Decimal(repr(float(amount)))
        current = [self._scores.get(scope, {}).get(player) for scope in scopes]
        for scope, item in zip(scopes, current, strict=True):
            _check_epoch(item, scope, epoch)
        if request is not None and current and all(item is not None and request in item.seen for item in current):
            return [item.recorded(player) for item in current if item is not None]
        # The real condition, on the total before: total <= 2^53 - amount (or >= -2^53 - amount for a negative one).
        limit = Decimal(MAX_ABS_SCORE) - exact if amount >= 0 else -Decimal(MAX_ABS_SCORE) - exact
        for item in current:
            if item is not None and (item.total > limit if amount >= 0 else item.total < limit):
                raise InvalidInput(
                    f"Adding {exact} would take the total past {MAX_ABS_SCORE} (2^53) in magnitude; nothing changed."
                )
        written = []
        for scope, item in zip(scopes, current, strict=True):
            total = exact if item is None else _DYNAMODB.add(item.total, exact)
            before = item or _Score(None, Decimal(0), 0, now_ms)
            updated = replace(
                before,
                exact=None,
                total=total,
                version=before.version + 1,
                updated_ms=now_ms,
                copied=False,
                epoch=epoch,
                seen=_seen_after(before.seen, request, now_ms),
            ).written_by(request, put_by_ms)
            self._scores.setdefault(scope, {})[player] = updated
            self._changed(scope, player)
            written.append(updated.recorded(player))
        return written

    @port_call
    def add_score(self, scope: Scope, player: str, score: float, now_ms: int) -> bool:
        with self._lock:
            partition = self._scores.setdefault(scope, {})
            if player in partition:
                return False
            partition[player] = replace(_first_version(score, now_ms), copied=True)
            self._changed(scope, player)
            return True

    @port_call
    def take_back_new_player(self, scope: Scope, player: str) -> bool:
        with self._lock:
            partition = self._scores.get(scope, {})
            item = partition.get(player)
            if item is None or item.version != 1:
                return False
            del partition[player]
            self._changed(scope, player)
            return True

    @port_call
    def fill_board(self, scope: Scope, scores: Mapping[str, float], now_ms: int) -> None:
        with self._lock:
            partition = self._scores.setdefault(scope, {})
            for player, score in scores.items():
                partition[player] = _first_version(score, now_ms)
                self._changed(scope, player)

    @port_call
    def get_score(self, scope: Scope, player: str) -> Recorded | None:
        with self._lock:
            item = self._scores.get(scope, {}).get(player)
            return None if item is None else item.recorded(player)

    @port_call
    def get_scores(self, scopes: Sequence[Scope], player: str) -> list[Recorded | None]:
        with self._lock:
            items = [self._scores.get(scope, {}).get(player) for scope in scopes]
            return [None if item is None else item.recorded(player) for item in items]

    @port_call
    def read_back(self, scopes: Sequence[Scope], player: str) -> tuple[list[Recorded | None], BoardEntry | None]:
        with self._lock:
            items = [self._scores.get(scope, {}).get(player) for scope in scopes]
            board = self._registry.get(Scope(scopes[0].board))
            entry = None if board is None else _entry(Scope(scopes[0].board), board)
            return [None if item is None else item.recorded(player) for item in items], entry

    @port_call
    def remove_player_from(self, scopes: Sequence[Scope], player: str) -> None:
        with self._lock:
            for scope in scopes:
                if self._scores.get(scope, {}).pop(player, None) is not None:
                    self._changed(scope, player)

    @port_call
    def remove_score(self, scope: Scope, player: str) -> Recorded | None:
        with self._lock:
            item = self._scores.get(scope, {}).pop(player, None)
            if item is None:
                return None
            self._changed(scope, player)
            return item.recorded(player)

    @port_call
    def scores(self, scope: Scope, after: str | None, limit: int) -> tuple[list[Recorded], bool]:
        if limit < 1:
            raise ValueError(f"a page holds at least one player (limit {limit})")
        with self._lock:
            partition = self._scores.get(scope, {})
            names = sorted(p for p in partition if after is None or p > after)
            page = [partition[p].recorded(p) for p in names[:limit]]
        return page, len(names) >= limit

    @port_call
    def scores_of(self, scope: Scope, players: Sequence[str]) -> dict[str, Recorded]:
        with self._lock:
            partition = self._scores.get(scope, {})
            return {p: partition[p].recorded(p) for p in players if p in partition}

    # --- the registry ----------------------------------------------------------------------------------------------

    @port_call
    def touch(self, scope: Scope, now_s: int) -> BoardEntry:
        with self._lock:
            key = registry_key(scope)
            item = self._registry.setdefault(key, _Registered())
            item.last_write = now_s
            item.created_at = now_s if item.created_at is None else item.created_at
            return _entry(key, item)

    @port_call
    def register_board(self, board: str, now_s: int) -> None:
        with self._lock:
            item = self._registry.setdefault(Scope(board), _Registered())
            item.last_write = now_s if item.last_write is None else item.last_write
            item.created_at = now_s if item.created_at is None else item.created_at

    @port_call
    def entry(self, scope: Scope) -> BoardEntry | None:
        with self._lock:
            key = registry_key(scope)
            item = self._registry.get(key)
            return None if item is None else _entry(key, item)

    @port_call
    def boards(self) -> Iterator[BoardEntry]:
        with self._lock:
            entries = [_entry(key, item) for key, item in self._registry.items() if key.period is None]
        return iter(sorted(entries, key=lambda e: e.board))

    @port_call
    def periods_of(self, board: str) -> list[BoardEntry]:
        with self._lock:
            entries = [
                _entry(key, item)
                for key, item in self._registry.items()
                if key.period is not None and key.board == board
            ]
        return sorted(entries, key=lambda e: _period_sort_key(e.scope))

    @port_call
    def update_settings(self, board: str, changes: Mapping[str, str | tuple[str, ...]], now_s: int) -> BoardEntry:
        with self._lock:
            key = Scope(board)
            item = self._registry.setdefault(key, _Registered())
            item.last_write = now_s if item.last_write is None else item.last_write
            item.created_at = now_s if item.created_at is None else item.created_at
            for name, value in changes.items():
                item.settings[name] = value if isinstance(value, str) else ",".join(value)
            if WRITE_SETTINGS & set(changes):
                item.epoch += 1
            return _entry(key, item)

    @port_call
    def count_past_rebuild(self, board: str, now_s: int, limit: int) -> int | None:
        with self._lock:
            item = self._registry.get(Scope(board))
            minute = now_s // 60
            if item is None:
                return (minute + 1) * 60 - now_s
            if item.past_rebuilds[0] > minute:  # another instance's clock is ahead: its minute's count stands
                return (minute + 1) * 60 - now_s
            if item.past_rebuilds[0] < minute:
                item.past_rebuilds = (minute, 0)
            if item.past_rebuilds[1] >= limit:
                return (minute + 1) * 60 - now_s
            item.past_rebuilds = (minute, item.past_rebuilds[1] + 1)
            return None

    @port_call
    def remove_board(self, board: str, now_s: int) -> BoardEntry | None:
        with self._lock:
            item = self._registry.get(Scope(board))
            if item is None:
                return None
            before = _entry(Scope(board), item)
            removed = item.generation or 0
            item.generation = removed + 1
            item.purging.add(removed)
            item.removed_at = now_s
            item.settings.clear()
            item.rebuild_owner = item.rebuild_until = item.restore = None
            return before

    @port_call
    def purge(
        self,
        removed: Scope,
        deadline: float,
        periods: Sequence[Scope],
        clock: Callable[[], float],
        *,
        finish: bool = True,
    ) -> bool:
        for period in periods:
            if not self._purge_partition(period, deadline, clock):
                return False
            with self._lock:
                self._registry.pop(registry_key(period), None)
        if not self._purge_partition(removed, deadline, clock):
            return False
        if not finish:
            return True
        with self._lock:
            # As DynamoDB's UpdateItem does, this writes the board's item into being if it is not there.
            self._registry.setdefault(registry_key(removed), _Registered()).purging.discard(removed.generation)
        return True

    def _purge_partition(self, scope: Scope, deadline: float, clock: Callable[[], float]) -> bool:
        """Deletes the scope's score items a page at a time while the deadline is ahead; whether none is left."""
        while clock() < deadline:
            with self._lock:
                partition = self._scores.get(scope, {})
                if not partition:
                    self._scores.pop(scope, None)
                    return True
                for player in sorted(partition)[:PURGE_PAGE]:
                    del partition[player]
                    self._changed(scope, player)
        return False

    # --- the rebuild lease -----------------------------------------------------------------------------------------

    @port_call
    def claim_rebuild(self, scope: Scope, owner: str, now_ms: int, lease_ms: int) -> BoardEntry | None:
        with self._lock:
            key = registry_key(scope)
            item = self._registry.get(key)
            if item is None or (item.rebuild_until is not None and not item.rebuild_until < now_ms):
                return None
            item.rebuild_owner, item.rebuild_until = owner, now_ms + lease_ms
            return _entry(key, item)

    @port_call
    def save_rebuild_progress(self, scope: Scope, owner: str, progress: Restore, until_ms: int) -> bool:
        with self._lock:
            item = self._owned(scope, owner)
            if item is None:
                return False
            item.rebuild_until, item.restore = until_ms, progress
            return True

    @port_call
    def end_rebuild(self, scope: Scope, owner: str, now_s: int) -> bool:
        with self._lock:
            item = self._owned(scope, owner)
            if item is None:
                return False
            item.indexed_at = now_s
            item.rebuild_owner = item.rebuild_until = item.restore = None
            return True

    @port_call
    def pause_rebuild(self, scope: Scope, owner: str) -> bool:
        with self._lock:
            item = self._owned(scope, owner)
            if item is None:
                return False
            item.rebuild_until = 0
            return True

    def _owned(self, scope: Scope, owner: str) -> _Registered | None:
        item = self._registry.get(registry_key(scope))
        return item if item is not None and item.rebuild_owner == owner else None


def _total_of(score: float) -> Decimal:
    """A latest or best score's total: the double as a decimal, within +-2^53, to 12 decimal places."""
    clamped = max(-MAX_ABS_SCORE, min(MAX_ABS_SCORE, score))
    return _WIDE.quantize(Decimal(repr(float(clamped))), _DECIMALS)


def _check_epoch(item: _Score | None, scope: Scope, epoch: int) -> None:
    """As the real condition: an item written with a later settings epoch refuses the write."""
    if item is not None and item.epoch > epoch:
        raise SettingsMoved(scope.board)


def _first_version(score: float, now_ms: int) -> _Score:
    return _Score(float(score), _total_of(score), 1, now_ms)


def _better(score: float, total: Decimal, current: _Score, rules: BoardSettings) -> bool:
    """Whether a best board keeps `score` over the current item: better by the board's order than its double, or
    (an increment wrote it last, so it has only a total) than its total."""
    if current.exact is not None:
        return score + 0.0 < current.exact if rules.order == "asc" else score + 0.0 > current.exact
    return total < current.total if rules.order == "asc" else total > current.total


def _entry(key: Scope, item: _Registered) -> BoardEntry:
    scope = key if key.period is not None else Scope(key.board, None, item.generation or 0)
    return BoardEntry(
        scope=scope,
        last_write_s=item.last_write or 0,
        rebuild_owner=item.rebuild_owner,
        rebuild_until_ms=item.rebuild_until or 0,
        restore=item.restore,
        settings=_settings(item.settings),
        purging=tuple(sorted(item.purging)),
        indexed_at_s=item.indexed_at or 0,
        removed_at_s=item.removed_at or 0,
        epoch=item.epoch,
    )


def _settings(stored: dict[str, str]) -> BoardSettings:
    defaults = BoardSettings()
    ranking = {name: stored.get(name, getattr(defaults, name)) for name in SETTING_VALUES}
    periods = tuple(stored["periods"].split(",")) if "periods" in stored else DEFAULT_PERIODS
    return BoardSettings(**ranking, periods=periods, time_zone=stored.get("timeZone", defaults.time_zone))


def _period_sort_key(scope: Scope) -> str:
    """A period's registry sort key as the table orders it: `<kind>:<id>`, `@<generation>` after a removal."""
    period: PeriodKey | None = scope.period
    return f"{period}" + (f"@{scope.generation}" if scope.generation else "")


def _seen_after(seen: Mapping[str, int], request: str | None, now_ms: int) -> Mapping[str, int]:
    """The tokens an item keeps after an increment begun at `now_ms`: its own, and those of writes begun recently
    enough that a copy of them may still arrive."""
    kept = {token: start for token, start in seen.items() if start >= now_ms - SEEN_KEPT_MS}
    return kept | ({request: now_ms} if request is not None else {})
