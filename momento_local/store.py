"""The server's state: caches of keyed items (sorted sets and scalars), with Momento's TTL and item-size rules.

One lock guards everything. Every operation is O(log n) or O(page) under it, so contention stays short, and a single
lock makes each RPC atomic, as a Momento write is.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

from momento_local.conditions import Condition, Kind
from momento_local.sorted_set import SortedSet

DEFAULT_MAX_ITEM_SIZE_BYTES = 5 * 1024 * 1024  # Momento's per-item cap; a whole sorted set is one item.
NEVER = math.inf  # the expiry of an item written without a TTL


class CacheNotFoundError(Exception):
    """The cache named in the request does not exist."""


class CacheAlreadyExistsError(Exception):
    """CreateCache for a name that is taken."""


class InvalidScoreError(Exception):
    """The write would store a NaN score (an increment of inf by -inf, say)."""


class ItemTooLargeError(Exception):
    """The write would grow the item past the size cap; nothing was written."""


class WrongTypeError(Exception):
    """The key holds another type of item than the request works on; nothing was read or written."""

    def __init__(self, key: bytes, held: str, wanted: str) -> None:
        name = key.decode("utf-8", "backslashreplace")
        super().__init__(f"the key '{name}' holds a {held}, and this request works on a {wanted}")


@dataclass
class Item:
    """A keyed sorted set or scalar, and the time (on the store's clock) after which it no longer exists."""

    value: SortedSet | bytes
    expires_at: float = NEVER


class TtlChange(Enum):
    """UpdateTtl's three ways of setting an item's TTL."""

    INCREASE = "only if that lengthens it"
    DECREASE = "only if that shortens it"
    OVERWRITE = "unconditionally"


class TtlOutcome(Enum):
    SET = "set"
    NOT_SET = "not set"
    MISSING = "missing"


@dataclass(frozen=True)
class Ttl:
    """A write's collection TTL: `ttl_ms` applies on creation, and on every write when `refresh` is set."""

    ttl_ms: int
    refresh: bool


def running_clock(offset_s: float = 0.0) -> Callable[[], float]:
    """A Unix time that starts at the system's time moved by `offset_s` and runs by the monotonic clock.

    `offset_s` is the local stack's (`make dev NOW=...`, docs/time-travel.md): the functions read the system's time
    moved by the same offset, so an item expires when their clock says its TTL has run out. Running by the monotonic
    clock from there, a step of the system's clock (NTP) never expires nor revives an item."""
    start = time.time() + offset_s - time.monotonic()
    return lambda: start + time.monotonic()


class Store:
    def __init__(
        self,
        max_item_size_bytes: int = DEFAULT_MAX_ITEM_SIZE_BYTES,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`clock`: the time TTLs run by (default: running_clock(), the system's time at start)."""
        self.max_item_size_bytes = max_item_size_bytes
        self.clock = clock or running_clock()
        self._caches: dict[str, dict[bytes, Item]] = {}
        self._lock = threading.Lock()

    # Control plane.

    def create_cache(self, name: str) -> None:
        with self._lock:
            if name in self._caches:
                raise CacheAlreadyExistsError(name)
            self._caches[name] = {}

    def delete_cache(self, name: str) -> None:
        with self._lock:
            if self._caches.pop(name, None) is None:
                raise CacheNotFoundError(name)

    def flush_cache(self, name: str) -> None:
        with self._lock:
            self._cache(name).clear()

    def cache_names(self) -> list[str]:
        with self._lock:
            return sorted(self._caches)

    # Data plane: callers hold `session()` and use the returned view, so one RPC is one atomic step.

    @contextmanager
    def session(self, cache_name: str) -> Iterator[CacheView]:
        with self._lock:
            yield CacheView(self, self._cache(cache_name), self.clock())

    def keys_held(self, cache_name: str) -> set[bytes]:
        """The keys the cache holds in memory, expired or not yet swept: what a test of the sweep looks at."""
        with self._lock:
            return set(self._cache(cache_name))

    def sweep_expired(self) -> int:
        """Drops expired items (reads already treat them as missing); returns how many went."""
        now = self.clock()
        removed = 0
        with self._lock:
            for items in self._caches.values():
                for key in [k for k, item in items.items() if item.expires_at <= now]:
                    del items[key]
                    removed += 1
        return removed

    def _cache(self, name: str) -> dict[bytes, Item]:
        items = self._caches.get(name)
        if items is None:
            raise CacheNotFoundError(name)
        return items


class CacheView:
    """One cache as seen by one RPC, at one instant `now`."""

    def __init__(self, store: Store, items: dict[bytes, Item], now: float) -> None:
        self._store = store
        self._items = items
        self._now = now

    # Any item.

    def delete(self, key: bytes) -> None:
        self._items.pop(key, None)

    def remaining_ttl_s(self, key: bytes) -> float | None:
        """Seconds until the item at `key` expires (inf: never), or None when there is no item."""
        item = self._live(key)
        return None if item is None else item.expires_at - self._now

    def update_ttl(self, key: bytes, ttl_ms: int, change: TtlChange) -> TtlOutcome:
        """Sets the item's TTL to `ttl_ms` from now, if `change` allows; the value is not touched."""
        item = self._live(key)
        if item is None:
            return TtlOutcome.MISSING
        expires_at = self._expiry(ttl_ms)
        if change is TtlChange.INCREASE and expires_at <= item.expires_at:
            return TtlOutcome.NOT_SET
        if change is TtlChange.DECREASE and expires_at >= item.expires_at:
            return TtlOutcome.NOT_SET
        item.expires_at = expires_at
        return TtlOutcome.SET

    # Scalars.

    def scalar(self, key: bytes) -> bytes | None:
        item = self._live(key)
        return None if item is None else _as_scalar(key, item)

    def set_scalar(self, key: bytes, value: bytes, ttl_ms: int, condition: Condition | None = None) -> bool:
        """Stores `value` with a fresh TTL if `condition` holds (always without one); returns whether it stored."""
        item = self._live(key)
        if item is not None and condition is not None and condition.kind is Kind.ABSENT:
            return False  # existence alone decides, so whatever type the item has, this is no type error
        current = None if item is None else _as_scalar(key, item)
        if condition is not None and not condition.holds(current):
            return False
        if len(value) > self._store.max_item_size_bytes:
            raise ItemTooLargeError(key)
        self._items[key] = Item(value, self._expiry(ttl_ms))
        return True

    # Sorted sets.

    def sorted_set(self, key: bytes) -> SortedSet | None:
        item = self._live(key)
        return None if item is None else _as_sorted_set(key, item)

    def put(self, key: bytes, elements: list[tuple[bytes, float]], ttl: Ttl) -> None:
        """Adds or re-scores elements as one write; refuses the whole write if the item would outgrow the cap."""
        item = self._live(key)
        members = _as_sorted_set(key, item) if item else SortedSet()
        if members.size_after_put(elements) > self._store.max_item_size_bytes:
            raise ItemTooLargeError(key)
        for value, score in elements:
            members.put(value, score)
        self._after_write(key, item, members, ttl)

    def increment(self, key: bytes, value: bytes, amount: float, ttl: Ttl) -> float:
        item = self._live(key)
        members = _as_sorted_set(key, item) if item else SortedSet()
        current = members.score_of(value)
        new_score = amount if current is None else current + amount
        if math.isnan(new_score):
            raise InvalidScoreError(key)
        if members.size_after_put([(value, new_score)]) > self._store.max_item_size_bytes:
            raise ItemTooLargeError(key)
        members.put(value, new_score)
        self._after_write(key, item, members, ttl)
        return new_score

    def remove(self, key: bytes, values: list[bytes] | None) -> None:
        """Removes the given values (all of them when `values` is None); an emptied set ceases to exist."""
        members = self.sorted_set(key)
        if members is None:
            return
        if values is None:
            del self._items[key]
            return
        for value in values:
            members.remove(value)
        if len(members) == 0:
            del self._items[key]

    def _live(self, key: bytes) -> Item | None:
        """The item at `key` unless it has expired (an expired one is dropped here, before the sweep gets to it)."""
        item = self._items.get(key)
        if item is None:
            return None
        if item.expires_at <= self._now:
            del self._items[key]
            return None
        return item

    def _expiry(self, ttl_ms: int) -> float:
        # A write without a TTL (the SDK always sends one) keeps its item until it is deleted.
        return self._now + ttl_ms / 1000.0 if ttl_ms > 0 else NEVER

    def _after_write(self, key: bytes, item: Item | None, members: SortedSet, ttl: Ttl) -> None:
        if len(members) == 0:  # a write of no elements does not create a set
            return
        if item is None:
            self._items[key] = Item(members, self._expiry(ttl.ttl_ms))
        elif ttl.refresh:
            item.expires_at = self._expiry(ttl.ttl_ms)


def _as_sorted_set(key: bytes, item: Item) -> SortedSet:
    if not isinstance(item.value, SortedSet):
        raise WrongTypeError(key, held="scalar", wanted="sorted set")
    return item.value


def _as_scalar(key: bytes, item: Item) -> bytes:
    if isinstance(item.value, SortedSet):
        raise WrongTypeError(key, held="sorted set", wanted="scalar")
    return item.value
