"""HTTP caching of GET answers: an ETag and Cache-Control on every 200, a 304 with no body when the client's copy is
current, and, on routes whose answer is the same for everyone (a page of the board), the answer kept in the
execution environment for READ_CACHE_SECONDS, so identical reads cost Momento one fetch per window per instance.

Keyed on the validated input (the parsed request), not the raw query string: `?startRank=0` and no parameter are
one entry, and an unknown parameter added to dodge the cache changes nothing. A standing and around-me are a
player's own view, read right after their own writes: those are never kept (`no-cache`), only revalidated.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from typing import Any

from shared.http.etag import etag_of, none_match
from shared.http.middy import Hooks, Request, Response, Slot
from shared.http.request import header

# Entries one environment keeps (least recently used first out): 256 pages of at most 100 entries stay under a few
# MB of the function's 1024, and a client walking every startRank only evicts others' entries, never grows memory.
CAPACITY = 256
# What a 304 repeats of the 200 it stands for (RFC 9110, 15.4.5); CORS is added to every answer outside the chain.
_NOT_MODIFIED_HEADERS = ("ETag", "Cache-Control", "Age")


def now() -> float:
    """The cache's clock (monotonic: a wall-clock step never makes an answer look younger); tests replace it."""
    return time.monotonic()


class ReadCaching(Enum):
    SHARED = "shared"  # the same answer for everyone: kept for READ_CACHE_SECONDS, `public, max-age`
    FRESH = "fresh"  # a player's own view: never kept, revalidated on every request (`no-cache`)


@dataclass(frozen=True)
class _Kept:
    response: Response  # the 200, with its ETag and Cache-Control
    etag: str
    fetched_at: float  # when its request began: the answer is at least this recent


class ReadCache:
    """Answers by key for `seconds` after their request began; bounded, least recently used out first. Lambda runs
    one request at a time per environment; the lock is for in-process tests and tools that share a handler."""

    def __init__(self, seconds: float, capacity: int = CAPACITY) -> None:
        self.seconds = seconds
        self._capacity = capacity
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if now() - kept.fetched_at >= self.seconds:
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, key: Hashable, kept: _Kept) -> None:
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self._capacity:
                self._kept.popitem(last=False)


def conditional_reads(caching: ReadCaching, into: Slot[Any], cache: ReadCache) -> Hooks:
    """After the validator (it reads the typed input from `into`), before the key is fetched: a kept answer costs
    neither SSM nor Momento."""
    shared = caching is ReadCaching.SHARED and cache.seconds > 0
    cache_control = f"public, max-age={math.ceil(cache.seconds)}" if shared else "no-cache"
    began: Slot[float] = Slot("read_began")

    def key_of(request: Request) -> Hashable:
        query = into.take(request)
        return (type(query).__name__, query)

    def before(request: Request) -> Response | None:
        began.put(request, now())
        if not shared or (kept := cache.get(key_of(request))) is None:
            return None
        # Age lets a browser or CDN downstream keep it only for what is left of the window.
        age = math.ceil(now() - kept.fetched_at)
        response = {**kept.response, "headers": {**kept.response["headers"], "Age": str(age)}}
        return _conditional(request, response, kept.etag)

    def after(request: Request) -> Response | None:
        response = request.response
        if response is None or response["statusCode"] != HTTPStatus.OK:
            return None
        etag = etag_of(response["body"])
        tagged = {**response, "headers": {**response["headers"], "ETag": etag, "Cache-Control": cache_control}}
        if shared:
            cache.put(key_of(request), _Kept(tagged, etag, began.take(request)))
        return _conditional(request, tagged, etag)

    return Hooks(before=before, after=after)


def _conditional(request: Request, response: Response, etag: str) -> Response:
    """The answer, or 304 Not Modified with no body (and the headers a 304 keeps) when the client has it."""
    if not none_match(header(request.event, "If-None-Match"), etag):
        return response
    kept_headers = {name: value for name, value in response["headers"].items() if name in _NOT_MODIFIED_HEADERS}
    return {"statusCode": int(HTTPStatus.NOT_MODIFIED), "headers": kept_headers, "body": "", "isBase64Encoded": False}
