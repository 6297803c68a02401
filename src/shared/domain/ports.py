"""The two ports the domain speaks through, and the values they exchange: the Record (every accepted score, the
truth: DynamoDB) and the Index (each scope ranked, which may forget: Momento). The stores implement them; the tests'
in-memory fakes implement them too, and one shared suite holds each fake to its real counterpart.

Every method names its ranking by a Scope; how a scope becomes a partition, a registry key or a set name is the
store's own business (one codec each).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, Protocol

from shared.domain.periods import DEFAULT_PERIODS, DEFAULT_TIME_ZONE
from shared.domain.rules import BoardSettings, Entry, Order, Standing, Ties, Update
from shared.domain.scope import Scope
from shared.platform.secret import Secret

# --- the record's values -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PutLease:
    """Which request last changed a score item and the time (ms) by which its put into the index has landed or
    never will; and the same of the write before it. A writer puts only once the write before its own has put."""

    request: str | None = None
    put_by_ms: int = 0
    previous_request: str | None = None
    previous_put_by_ms: int = 0


@dataclass(frozen=True)
class Recorded:
    """A player's score as the record holds it; `version` counts the writes that changed it (1: the first)."""

    player: str
    score: float
    version: int
    copied: bool = False  # copied from a set that predates the record (adoption, backfill), not written since
    lease: PutLease = field(default=PutLease(), compare=False)  # who wrote it, and their puts' deadlines


@dataclass(frozen=True)
class Restore:
    """How far the rebuild of a lost set has got. It writes the record's players best first into the set whose
    start mark is `token`: every player ranked at or before `last` (its score and name, in the board's order) is in
    the set with the record's value, so a read that falls there answers exactly before the set is whole."""

    token: float
    restored: int  # players written so far, best first
    total: int  # players the record held when the rebuild read it
    last: tuple[float, str] | None = None  # the last player restored (None: none yet)
    rate: float = 0.0  # its pace: players per second it may write now (0: unpaced)
    order: Order = "desc"  # the board's order it restores by (a change of order starts it over)
    speed: float = 0.0  # players per second it really restored lately, reads and checks included (0: not known)

    def eta_s(self) -> float | None:
        """Seconds until the set is whole at the speed it went lately (None: not known yet)."""
        return (self.total - self.restored) / self.speed if self.speed > 0 else None


@dataclass(frozen=True)
class BoardEntry:
    """A scope the registry knows: a board (all time, whose item holds the settings, the current generation and
    the removed ones still being purged) or one of its periods (registered before its first score)."""

    scope: Scope
    last_write_s: int
    rebuild_owner: str | None
    rebuild_until_ms: int
    restore: Restore | None  # how far the rebuild in progress (or paused) got
    settings: BoardSettings
    purging: tuple[int, ...] = ()  # removed generations whose score items are still being deleted
    indexed_at_s: int = 0  # when its index was last rebuilt (0: never)
    removed_at_s: int = 0  # when the board was last removed (0: never)
    epoch: int = 0  # +1 at each change of a setting that decides how a write applies (rules.WRITE_SETTINGS)

    @property
    def board(self) -> str:
        return self.scope.board

    @property
    def generation(self) -> int:
        return self.scope.generation


@dataclass(frozen=True)
class Changed:
    """A player's score item changed in the record (written or deleted), as the record's change feed reports it."""

    scope: Scope
    player: str
    at_s: float  # when the record changed (Unix seconds)


class Record(Protocol):
    """The truth. Every read is strongly consistent; every write is one conditional request (no read first)."""

    # scores
    # `request`: the submission's own token. An increment that carries one counts once however often it arrives
    # (an SDK resends a request whose answer came too late, and the first copy may have landed).
    # An increment's `score` and `amount` are exact decimals (a float is taken as its shortest repr).
    # `epoch`: that of the settings the write was made with (`rules`); an item written with a later one refuses
    # it (SettingsMoved, nothing changed). `put_by_ms`: when this write's put into the index will have landed (or
    # never will); the item keeps it, and the previous write's, with their requests (Recorded.lease).
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
    ) -> Recorded: ...
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
    ) -> None: ...
    def add_score(self, scope: Scope, player: str, score: float, now_ms: int) -> bool: ...
    def take_back_new_player(self, scope: Scope, player: str) -> bool: ...
    def fill_board(self, scope: Scope, scores: Mapping[str, float], now_ms: int) -> None: ...
    def get_score(self, scope: Scope, player: str) -> Recorded | None: ...
    def get_scores(self, scopes: Sequence[Scope], player: str) -> list[Recorded | None]: ...
    def read_back(self, scopes: Sequence[Scope], player: str) -> tuple[list[Recorded | None], BoardEntry | None]:
        """get_scores, and the board's registry entry (its generation now), in one request."""
        ...

    def remove_player_from(self, scopes: Sequence[Scope], player: str) -> None: ...
    def remove_score(self, scope: Scope, player: str) -> Recorded | None:
        """Deletes the player's score in the scope; what it was (None: there was none), its lease included."""
        ...

    def scores(self, scope: Scope, after: str | None, limit: int) -> tuple[list[Recorded], bool]: ...
    def scores_of(self, scope: Scope, players: Sequence[str]) -> dict[str, Recorded]:
        """The scores of those of the players the record holds in the scope (in as few requests as it can)."""
        ...

    # the registry
    def touch(self, scope: Scope, now_s: int) -> BoardEntry:
        """Registers the scope or notes a write to it; its entry after."""
        ...

    def register_board(self, board: str, now_s: int) -> None: ...
    def entry(self, scope: Scope) -> BoardEntry | None: ...
    def boards(self) -> Iterator[BoardEntry]: ...
    def periods_of(self, board: str) -> list[BoardEntry]: ...
    def update_settings(self, board: str, changes: Mapping[str, str | tuple[str, ...]], now_s: int) -> BoardEntry: ...
    def count_past_rebuild(self, board: str, now_s: int, limit: int) -> int | None:
        """Counts a restore of one of the board's past periods in the current minute (of `now_s`); None when it is
        within `limit`, else (nothing counted) the seconds until the next minute."""
        ...

    def remove_board(self, board: str, now_s: int) -> BoardEntry | None:
        """Moves the board to its next generation; its entry as it was just before (None: not registered)."""
        ...

    def purge(
        self,
        removed: Scope,
        deadline: float,
        periods: Sequence[Scope],
        clock: Callable[[], float],
        *,
        finish: bool = True,
    ) -> bool:
        """Deletes a removed generation's scores; with `finish`, forgets the generation once none is left."""
        ...

    # the rebuild lease
    def claim_rebuild(self, scope: Scope, owner: str, now_ms: int, lease_ms: int) -> BoardEntry | None: ...
    def save_rebuild_progress(self, scope: Scope, owner: str, progress: Restore, until_ms: int) -> bool: ...
    def end_rebuild(self, scope: Scope, owner: str, now_s: int) -> bool: ...
    def pause_rebuild(self, scope: Scope, owner: str) -> bool: ...


# --- the index's values --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardView:
    """Entries of a board, and how many players it has."""

    entries: list[Entry]
    total: int


class IndexedSettings(NamedTuple):
    """The settings a set holds: the ranking ones as they are, the periods and time zone as a fingerprint (a read
    needs only to know whether they are the ones it assumed; what they are is in the record)."""

    order: Order
    update: Update
    ties: Ties
    seasons: int  # seasons_of() the board's settings

    @classmethod
    def of_rules(cls, rules: BoardSettings) -> IndexedSettings:
        return cls(rules.order, rules.update, rules.ties, seasons_of(rules))

    def of(self, rules: BoardSettings) -> bool:
        """Whether these are the given settings."""
        return self == IndexedSettings.of_rules(rules)

    def same_seasons(self, rules: BoardSettings) -> bool:
        return self.seasons == seasons_of(rules)

    def applied_to(self, rules: BoardSettings) -> BoardSettings:
        """The given settings with these ranking ones (for a read whose guess of the periods was right)."""
        return rules._replace(order=self.order, update=self.update, ties=self.ties)


def seasons_of(rules: BoardSettings) -> int:
    """A 32-bit fingerprint of the board's periods and time zone; 0 for the default ones (all time in UTC)."""
    if (rules.periods, rules.time_zone) == (DEFAULT_PERIODS, DEFAULT_TIME_ZONE):
        return 0
    return zlib.crc32(f"{','.join(rules.periods)}|{rules.time_zone}".encode()) or 1


def stale(given: BoardSettings, indexed: IndexedSettings | None) -> bool:
    """Whether a read was made with settings other than those the set holds (none held: the given ones stand)."""
    return indexed is not None and not indexed.of(given)


@dataclass(frozen=True)
class Indexed[T]:
    """What the index answered; whether the set was whole (held every player of the record) when it did; and the
    settings it holds (None: none), which the answer was ranked by only if they are the ones the read was given."""

    value: T
    whole: bool
    rules: IndexedSettings | None = None
    # The set's start mark: which rebuild filled it (None: none did). Not compared: it is the set's, not the answer's.
    token: float | None = field(default=None, compare=False)


class Index(Protocol):
    """The ranking. A set is whole once a rebuild marked it so: begin_rebuild puts a start mark with a token of its
    own into the emptied set, mark_whole the end mark with the same token; a set lost at any moment in between (and
    written again) lost its start mark, so it is not whole. Reads answer with the set's marks, so a read learns in
    the same call whether it may trust its answer."""

    def put_score(self, scope: Scope, player: str, score: float, key: Secret) -> None: ...
    def put_scores(self, scope: Scope, scores: Mapping[str, float], key: Secret) -> None: ...
    def put_settings(self, scope: Scope, rules: BoardSettings, key: Secret) -> None: ...
    def begin_rebuild(self, scope: Scope, key: Secret) -> float: ...
    def rebuild_token(self, scope: Scope, key: Secret) -> float | None: ...
    def mark_whole(self, scope: Scope, token: float, key: Secret) -> None: ...
    def is_whole(self, scope: Scope, key: Secret) -> bool: ...
    def scores_of(self, scope: Scope, players: Sequence[str], key: Secret) -> dict[str, float]:
        """The scores of those of the players the set holds, in one call."""
        ...

    def keep_alive(self, scope: Scope, key: Secret) -> bool: ...
    def forget(self, scope: Scope, key: Secret) -> None: ...
    def remove_players(self, scope: Scope, players: Sequence[str], key: Secret) -> None: ...
    def get_standing(
        self, scope: Scope, player: str, rules: BoardSettings, key: Secret
    ) -> Indexed[Standing | None]: ...
    def page_by_rank(
        self, scope: Scope, start_rank: int, end_rank: int, rules: BoardSettings, key: Secret
    ) -> Indexed[BoardView]: ...
    def around(
        self, scope: Scope, player: str, each_side: int, rules: BoardSettings, key: Secret
    ) -> Indexed[list[Entry] | None]: ...
    def friends(
        self, scope: Scope, players: Sequence[str], rules: BoardSettings, key: Secret
    ) -> Indexed[BoardView]: ...
