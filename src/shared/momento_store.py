"""Leaderboards stored as Momento sorted sets, in leaderboard terms: submit a score, read a standing, read a page.

Storage layout is the original Node.js service's: key = leaderboard name, value = player name (UTF-8), score = double;
ranks are read in descending order (highest score = rank 0).

One CacheClient per execution environment, created on first use and reused while warm; it is rebuilt (the old one
closed) when the API key changes. When Momento rejects the key (a rotation), the key is re-fetched from SSM once,
bypassing every cache, and the call retried once: the new key takes effect on the next request, not the next cold
start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache
from typing import Any

from momento import CacheClient, Configurations, CredentialProvider
from momento.errors import MomentoErrorCode
from momento.errors.exceptions import LimitExceededMessageWrapper
from momento.requests import CollectionTtl, SortOrder
from momento.responses import (
    CacheSortedSetFetch,
    CacheSortedSetGetRank,
    CacheSortedSetGetScore,
    CacheSortedSetPutElement,
)

from shared.config import Settings, settings
from shared.errors import BoardFull, KeyUnavailable, PlayerNotFound, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.leaderboard import Entry, PageRequest, PlayerRef, Standing, Submission
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
# SDK 1.29 answers get_rank on a set that does not exist with this Error rather than a Miss.
MISSING_SET_RANK_ERROR = MomentoErrorCode.UNKNOWN_ERROR


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
    def submit_score(self, submission: Submission, api_key: Secret) -> None:
        """Stores the player's score, replacing any earlier one, and refreshes the board's TTL."""
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_put_element(
                self._config.cache_name, submission.leaderboard, submission.player, submission.score, ttl=self._ttl
            ),
        )
        if not isinstance(response, CacheSortedSetPutElement.Success):
            raise _error_for(response, submission.leaderboard)

    @tracer.capture_method(capture_response=False)
    def get_standing(self, ref: PlayerRef, api_key: Secret) -> Standing:
        """The player's score and 0-based rank (highest first); PlayerNotFound when the player is not on the board."""
        score, rank = self._with_key(api_key, lambda client: self._score_and_rank(client, ref))
        if isinstance(score, CacheSortedSetGetScore.Miss):
            raise PlayerNotFound(ref.leaderboard, ref.player)
        if not isinstance(score, CacheSortedSetGetScore.Hit):
            raise _error_for(score, ref.leaderboard)
        if isinstance(rank, CacheSortedSetGetRank.Hit):
            return Standing(score=score.score, rank=int(rank.rank))
        if isinstance(rank, CacheSortedSetGetRank.Miss) or _is_missing_set_rank(rank):
            raise PlayerNotFound(ref.leaderboard, ref.player)  # removed between the two reads
        raise _error_for(rank, ref.leaderboard)

    @tracer.capture_method(capture_response=False)
    def page_by_rank(self, page: PageRequest, api_key: Secret) -> list[Entry]:
        """Entries ranked [start_rank, end_rank), highest score first; empty for a board that does not exist."""
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_fetch_by_rank(
                self._config.cache_name, page.leaderboard, page.start_rank, page.end_rank, SortOrder.DESCENDING
            ),
        )
        if isinstance(response, CacheSortedSetFetch.Miss):
            return []
        if not isinstance(response, CacheSortedSetFetch.Hit):
            raise _error_for(response, page.leaderboard)
        return [
            Entry(rank=page.start_rank + offset, player=value.decode("utf-8"), score=score)
            for offset, (value, score) in enumerate(response.value_list_bytes)
        ]

    def _score_and_rank(self, client: CacheClient, ref: PlayerRef) -> tuple[Any, Any]:
        cache_name = self._config.cache_name
        rank = self._parallel.submit(
            client.sorted_set_get_rank, cache_name, ref.leaderboard, ref.player, SortOrder.DESCENDING
        )
        score = client.sorted_set_get_score(cache_name, ref.leaderboard, ref.player)
        return score, rank.result()

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
