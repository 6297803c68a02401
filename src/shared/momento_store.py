"""The index: each leaderboard as a Momento sorted set, in leaderboard terms (the record, record.py, is the truth).

Storage layout is the original Node.js service's: key = leaderboard name, value = player name (UTF-8), score = double;
ranks are read in descending order (highest score = rank 0).

One CacheClient per execution environment, created on first use and reused while warm; it is rebuilt (the old one
closed) when the API key changes. When Momento rejects the key (a rotation), the key is re-fetched from SSM once,
bypassing every cache, and the call retried once: the new key takes effect on the next request, not the next cold
start.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from momento import CacheClient, Configurations, CredentialProvider
from momento.errors import MomentoErrorCode, convert_error
from momento.errors.exceptions import LimitExceededMessageWrapper
from momento.internal.services import Service
from momento.internal.synchronous._utilities import make_metadata
from momento.requests import CollectionTtl, SortOrder
from momento.responses import (
    CacheDelete,
    CacheSortedSetFetch,
    CacheSortedSetGetRank,
    CacheSortedSetGetScore,
    CacheSortedSetGetScores,
    CacheSortedSetPutElement,
    CacheSortedSetPutElements,
)
from momento.responses.mixins import ErrorResponseMixin
from momento_wire_types import cacheclient_pb2 as cache_pb

from shared.config import Settings, settings
from shared.errors import BoardFull, KeyUnavailable, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.leaderboard import Entry, PageRequest, PlayerRef, Standing
from shared.momento_credentials import momento_credentials
from shared.observability import logger, tracer
from shared.secret import Secret

# A small positive value: 0 crashes SDK 1.29 (`eager_connection_timeout=timedelta(0)`).
EAGER_CONNECTION_TIMEOUT = timedelta(milliseconds=500)
UNAVAILABLE = {
    MomentoErrorCode.SERVER_UNAVAILABLE,
    MomentoErrorCode.CONNECTION_ERROR,
    MomentoErrorCode.INTERNAL_SERVER_ERROR,
}
SIZE_LIMITS = {
    LimitExceededMessageWrapper.ITEM_SIZE_LIMIT_EXCEEDED.value,
    LimitExceededMessageWrapper.ELEMENTS_SIZE_LIMIT_EXCEEDED.value,
}
# The set's mark of completeness: an element no player can be (player names hold no control character), scored
# below every score a player may have (|score| <= 2^53), so it ranks last and never moves a player's rank. A set
# holds it only when it holds every player of the record: a rebuild adds it last, and a set a flush, an eviction or
# an expiry took away comes back (from the next write) without it. Reads check it alongside their own read.
WHOLE_MARK = "\x00whole"
WHOLE_MARK_BYTES = WHOLE_MARK.encode("utf-8")
WHOLE_MARK_SCORE = -sys.float_info.max
# SDK 1.29 answers get_rank on a set that does not exist with this Error rather than a Miss.
MISSING_SET_RANK_ERROR = MomentoErrorCode.UNKNOWN_ERROR


@dataclass(frozen=True)
class Indexed[T]:
    """What the index answered, and whether the set was whole (held every player of the record) when it did."""

    value: T
    whole: bool


class _RawError(ErrorResponseMixin):
    """A failed raw RPC call, shaped like the SDK's error responses."""


class StoreError(RuntimeError):
    """Momento failed in a way a client cannot fix or retry (a missing cache, a permission): a logged 500."""


class LeaderboardStore:
    def __init__(self, config: Settings) -> None:
        self._config = config
        self._ttl = CollectionTtl(config.leaderboard_ttl, refresh_ttl=True)
        self._lock = threading.Lock()
        self._client: CacheClient | None = None
        self._client_key: str | None = None
        # Standing reads score and rank at once (as the original's Promise.all did). An execution environment serves
        # one invocation at a time, so one extra thread is enough.
        self._parallel = ThreadPoolExecutor(max_workers=1, thread_name_prefix="momento")

    @tracer.capture_method(capture_response=False)
    def put_score(self, board: str, player: str, score: float, api_key: Secret) -> None:
        """Indexes the player's score, replacing any earlier one, and refreshes the board's TTL."""
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_put_element(self._config.cache_name, board, player, score, ttl=self._ttl),
        )
        if not isinstance(response, CacheSortedSetPutElement.Success):
            raise _error_for(response, board)

    @tracer.capture_method(capture_response=False)
    def put_scores(self, board: str, scores: dict[str, float], api_key: Secret) -> None:
        """Indexes many players at once (a rebuild's batch); Momento meters each element as one operation."""
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_put_elements(self._config.cache_name, board, scores, ttl=self._ttl),
        )
        if not isinstance(response, CacheSortedSetPutElements.Success):
            raise _error_for(response, board)

    def mark_whole(self, board: str, api_key: Secret) -> None:
        """Marks the board's set as holding every player of the record (see WHOLE_MARK)."""
        self.put_scores(board, {WHOLE_MARK: WHOLE_MARK_SCORE}, api_key)

    @tracer.capture_method(capture_response=False)
    def is_whole(self, board: str, api_key: Secret) -> bool:
        response = self._with_key(
            api_key, lambda client: client.sorted_set_get_score(self._config.cache_name, board, WHOLE_MARK)
        )
        if isinstance(response, CacheSortedSetGetScore.Hit | CacheSortedSetGetScore.Miss):
            return isinstance(response, CacheSortedSetGetScore.Hit)
        raise _error_for(response, board)

    @tracer.capture_method(capture_response=False)
    def size(self, board: str, api_key: Secret) -> int:
        """Players in the board's set (its mark not counted); 0 when the set does not exist."""
        request = cache_pb._SortedSetLengthRequest(set_name=board.encode("utf-8"))
        answer = self._with_key(api_key, lambda client: self._raw(client, "SortedSetLength", request))
        if isinstance(answer, _RawError):
            raise _error_for(answer, board)
        if answer.WhichOneof("sorted_set") == "missing":
            return 0
        return int(answer.found.length) - int(self.is_whole(board, api_key))

    @tracer.capture_method(capture_response=False)
    def keep_alive(self, board: str, api_key: Secret) -> bool:
        """Raises the set's TTL back to the full TTL without rewriting it; False when the set does not exist."""
        request = cache_pb._UpdateTtlRequest(
            cache_key=board.encode("utf-8"),
            increase_to_milliseconds=int(self._config.leaderboard_ttl.total_seconds() * 1000),
        )
        answer = self._with_key(api_key, lambda client: self._raw(client, "UpdateTtl", request))
        if isinstance(answer, _RawError):
            raise _error_for(answer, board)
        return bool(answer.WhichOneof("result") != "missing")

    @tracer.capture_method(capture_response=False)
    def forget(self, board: str, api_key: Secret) -> None:
        """Drops the board's set (a board past its retention leaves the index; the record keeps it)."""
        response = self._with_key(api_key, lambda client: client.delete(self._config.cache_name, board))
        if not isinstance(response, CacheDelete.Success):
            raise _error_for(response, board)

    @tracer.capture_method(capture_response=False)
    def get_standing(self, ref: PlayerRef, api_key: Secret) -> Indexed[Standing | None]:
        """The player's score and 0-based rank (highest first), None when not in the set; and whether the set is
        whole. Score, rank and the mark are read at once (as the original's Promise.all read score and rank)."""
        scores, rank = self._with_key(api_key, lambda client: self._scores_and_rank(client, ref))
        if isinstance(scores, CacheSortedSetGetScores.Miss):
            return Indexed(None, whole=False)
        if not isinstance(scores, CacheSortedSetGetScores.Hit):
            raise _error_for(scores, ref.leaderboard)
        score, mark = scores.responses
        whole = isinstance(mark, CacheSortedSetGetScore.Hit)
        if not isinstance(score, CacheSortedSetGetScore.Hit):
            return Indexed(None, whole)
        if isinstance(rank, CacheSortedSetGetRank.Hit):
            return Indexed(Standing(score=score.score, rank=int(rank.rank)), whole)
        if isinstance(rank, CacheSortedSetGetRank.Miss) or _is_missing_set_rank(rank):
            return Indexed(None, whole)  # removed between the two reads
        raise _error_for(rank, ref.leaderboard)

    @tracer.capture_method(capture_response=False)
    def page_by_rank(self, page: PageRequest, api_key: Secret) -> Indexed[list[Entry]]:
        """Entries ranked [start_rank, end_rank), highest score first (empty for a set that does not exist); and
        whether the set is whole. The page and the mark are read at once."""
        response, whole = self._with_key(api_key, lambda client: self._page_and_mark(client, page))
        if isinstance(response, CacheSortedSetFetch.Miss):
            return Indexed([], whole=False)
        if not isinstance(response, CacheSortedSetFetch.Hit):
            raise _error_for(response, page.leaderboard)
        if not isinstance(whole, CacheSortedSetGetScore.Hit | CacheSortedSetGetScore.Miss):
            raise _error_for(whole, page.leaderboard)
        entries = [
            Entry(rank=page.start_rank + offset, player=value.decode("utf-8"), score=score)
            for offset, (value, score) in enumerate(response.value_list_bytes)
            if value != WHOLE_MARK_BYTES
        ]
        return Indexed(entries, whole=isinstance(whole, CacheSortedSetGetScore.Hit))

    def _page_and_mark(self, client: CacheClient, page: PageRequest) -> tuple[Any, Any]:
        cache_name = self._config.cache_name
        mark = self._parallel.submit(client.sorted_set_get_score, cache_name, page.leaderboard, WHOLE_MARK)
        fetched = client.sorted_set_fetch_by_rank(
            cache_name, page.leaderboard, page.start_rank, page.end_rank, SortOrder.DESCENDING
        )
        return fetched, mark.result()

    def _scores_and_rank(self, client: CacheClient, ref: PlayerRef) -> tuple[Any, Any]:
        cache_name = self._config.cache_name
        rank = self._parallel.submit(
            client.sorted_set_get_rank, cache_name, ref.leaderboard, ref.player, SortOrder.DESCENDING
        )
        scores = client.sorted_set_get_scores(cache_name, ref.leaderboard, [ref.player, WHOLE_MARK])
        return scores, rank.result()

    def _raw(self, client: CacheClient, rpc: str, request: Any) -> Any:
        """Calls a data-plane RPC that SDK 1.29 has no method for (SortedSetLength, UpdateTtl) on the SDK's own
        channel, with its metadata and deadline, so the key, the endpoint and the timeouts are the client's; a
        failure comes back as the SDK shapes its errors."""
        data_client = client._data_client
        try:
            return getattr(data_client._build_stub(), rpc)(
                request,
                metadata=make_metadata(self._config.cache_name),
                timeout=data_client._default_deadline_seconds,
            )
        except Exception as error:
            return _RawError(convert_error(error, Service.CACHE))

    def _with_key[R](self, api_key: Secret, operation: Callable[[CacheClient], R]) -> R:
        """Runs `operation`; if Momento rejects the key, re-fetches it once (bypassing every cache) and retries once."""
        result = operation(self._client_for(api_key.reveal()))
        if not _rejected_key(result):
            return result
        logger.warning("Momento rejected the API key; fetching it again from SSM and retrying once")
        return operation(self._client_for(api_key.refresh().reveal()))

    def _client_for(self, key: str) -> CacheClient:
        with self._lock:
            if self._client is None or self._client_key != key:
                stale = self._client
                self._client = self._create_client(key)
                self._client_key = key
                if stale is not None:
                    stale.__exit__(None, None, None)  # CacheClient has no close(); exiting its context closes it
            return self._client

    def _create_client(self, key: str) -> CacheClient:
        try:
            credentials = self._credentials(key)
        except Exception as error:
            # A key the SDK cannot parse is as unusable as a revoked one. The SDK's message never holds the key.
            logger.error("The Momento API key is malformed", extra={"error": type(error).__name__})
            raise KeyUnavailable("the Momento API key is malformed") from None
        return CacheClient.create(
            Configurations.Lambda.latest(),
            credentials,
            self._config.leaderboard_ttl,
            eager_connection_timeout=EAGER_CONNECTION_TIMEOUT,
        )

    def _credentials(self, key: str) -> CredentialProvider:
        return momento_credentials(key, self._config.momento_endpoint, self._config.momento_local_address)


@cache
def leaderboard_store() -> LeaderboardStore:
    """The execution environment's store (and so its one Momento client)."""
    return LeaderboardStore(settings())


def _rejected_key(result: object) -> bool:
    responses = result if isinstance(result, tuple) else (result,)
    return any(getattr(r, "error_code", None) == MomentoErrorCode.AUTHENTICATION_ERROR for r in responses)


def _is_missing_set_rank(response: object) -> bool:
    return isinstance(response, CacheSortedSetGetRank.Error) and response.error_code == MISSING_SET_RANK_ERROR


def _error_for(response: Any, board: str) -> Exception:
    """The service's error for a Momento error response."""
    code: MomentoErrorCode = response.error_code
    logger.warning("Momento call failed", extra={"momento_error": code.name, "leaderboard": board})
    reason = f"Momento answered {code.name}"
    if code == MomentoErrorCode.LIMIT_EXCEEDED_ERROR:
        if response.inner_exception.message_wrapper in SIZE_LIMITS:
            return BoardFull(board)
        return StoreThrottled(reason)
    if code == MomentoErrorCode.TIMEOUT_ERROR:
        return StoreTimeout(reason)
    if code in UNAVAILABLE:
        return StoreUnavailable(reason)
    if code == MomentoErrorCode.AUTHENTICATION_ERROR:
        return KeyUnavailable("Momento still rejects the API key after a fresh fetch")
    return StoreError(reason)
