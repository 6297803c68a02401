"""The index: each scope of a board as a Momento sorted set, in leaderboard terms (the domain's Index port; the
record is the truth). Value = player name (UTF-8), score = double, as the original Node.js service stores them; set
names and marks are codec.py's, shared ranks shared_ranks.py's, the SDK's private internals sdk_internals.py's.

One CacheClient per execution environment, created on first use and reused while warm; it is rebuilt (the old one
closed) when the API key changes. When Momento rejects the key (a rotation), the key is re-fetched from SSM once,
bypassing every cache, and the call retried once: the new key takes effect on the next request, not the next cold
start.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from momento import CacheClient, Configurations, CredentialProvider
from momento.config import Configuration
from momento.errors import MomentoErrorCode
from momento.errors.exceptions import LimitExceededMessageWrapper
from momento.requests import CollectionTtl, SortOrder
from momento.responses import (
    CacheDelete,
    CacheSortedSetFetch,
    CacheSortedSetGetScore,
    CacheSortedSetGetScores,
    CacheSortedSetPutElement,
    CacheSortedSetPutElements,
    CacheSortedSetRemoveElements,
)
from momento_wire_types import cacheclient_pb2 as cache_pb

from shared.domain.errors import BoardFull, KeyUnavailable, StoreThrottled, StoreTimeout, StoreUnavailable
from shared.domain.ports import BoardView, Indexed, stale
from shared.domain.rules import MAX_ABS_SCORE, BoardSettings, Entry, Standing
from shared.domain.scope import Scope
from shared.platform.config import Settings
from shared.platform.observability import logger, tracer
from shared.platform.secret import Secret
from shared.stores.momento.codec import (
    CONNECT_PROBE,
    MARK_BYTES,
    MARKS,
    SETTINGS_MARK,
    START_MARK,
    WHOLE_MARK,
    Marks,
    marks_of,
    rebuild_token,
    set_name,
    settings_score,
)
from shared.stores.momento.credentials import momento_credentials
from shared.stores.momento.sdk_internals import RawError, raw_call
from shared.stores.momento.shared_ranks import context_above, share

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
# Reads run their calls at once: a page's fetch, marks and length; a friends query's ranks (up to 50), this many at
# a time (each call is mostly waiting on the network; more threads would mostly add the interpreter's switching).
PARALLEL_CALLS = 16


class StoreError(RuntimeError):
    """Momento failed in a way a client cannot fix or retry (a missing cache, a permission): a logged 500."""


class MomentoIndex:
    def __init__(self, config: Settings, *, momento_configuration: Configuration | None = None) -> None:
        """`momento_configuration`: the SDK configuration the client is made with (each call's deadline is
        config.momento_timeout's either way); by default the SDK's Lambda configuration."""
        self._config = config
        self._momento_configuration = momento_configuration
        self._ttl = CollectionTtl(config.leaderboard_ttl, refresh_ttl=True)
        self._lock = threading.Lock()
        self._client: CacheClient | None = None
        self._client_key: str | None = None
        # Reads make their calls at once (as the original's Promise.all read score and rank).
        self._parallel = ThreadPoolExecutor(max_workers=PARALLEL_CALLS, thread_name_prefix="momento")

    def connect(self, api_key: Secret) -> None:
        """Makes a new client with the key, opens its connection and makes one read through it (the size of a set no
        board has: a length and a get-scores, at once), so the next request pays for none of it: the SDK's and gRPC's
        first-call set-up and the reads' thread included. Called at init, and after a SnapStart restore, whose
        snapshot's connection is gone."""
        key = api_key.reveal()
        with self._lock:
            stale, self._client, self._client_key = self._client, self._create_client(key), key
        _close(stale)
        self._counted(CONNECT_PROBE, api_key)

    def close(self) -> None:
        """Closes the client's connection (a later call makes a new one): for a process that holds many indexes,
        such as a test run's in-process functions."""
        with self._lock:
            stale, self._client, self._client_key = self._client, None, None
        _close(stale)

    @tracer.capture_method(capture_response=False)
    def put_score(self, scope: Scope, player: str, score: float, api_key: Secret) -> None:
        """Indexes the player's score, replacing any earlier one, and refreshes the board's TTL."""
        board = set_name(scope)
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_put_element(self._config.cache_name, board, player, score, ttl=self._ttl),
        )
        if not isinstance(response, CacheSortedSetPutElement.Success):
            raise _error_for(response, scope.board)  # a 507 names the board written to

    @tracer.capture_method(capture_response=False)
    def put_scores(self, scope: Scope, scores: Mapping[str, float], api_key: Secret) -> None:
        """Indexes many players at once (a rebuild's batch); Momento meters each element as one operation."""
        board = set_name(scope)
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_put_elements(self._config.cache_name, board, dict(scores), ttl=self._ttl),
        )
        if not isinstance(response, CacheSortedSetPutElements.Success):
            raise _error_for(response, scope.board)

    def put_settings(self, scope: Scope, rules: BoardSettings, api_key: Secret) -> None:
        """Puts the board's settings into its set (a lost set gets them back without looking whole)."""
        self.put_scores(scope, {SETTINGS_MARK: settings_score(rules)}, api_key)

    def begin_rebuild(self, scope: Scope, api_key: Secret) -> float:
        """Puts a rebuild's start mark, with a token of its own, into the (emptied) set; the token (see WHOLE_MARK)."""
        token = rebuild_token(_TOKENS.randrange(1, 2**31))
        self.put_scores(scope, {START_MARK: token}, api_key)
        return token

    @tracer.capture_method(capture_response=False)
    def rebuild_token(self, scope: Scope, api_key: Secret) -> float | None:
        """The start mark's token; None when the set has none (it was lost since that rebuild began)."""
        board = set_name(scope)
        response = self._with_key(
            api_key, lambda client: client.sorted_set_get_score(self._config.cache_name, board, START_MARK)
        )
        if isinstance(response, CacheSortedSetGetScore.Hit | CacheSortedSetGetScore.Miss):
            return response.score if isinstance(response, CacheSortedSetGetScore.Hit) else None
        raise _error_for(response, board)

    def mark_whole(self, scope: Scope, token: float, api_key: Secret) -> None:
        """Marks the board's set as holding every player of the record, with the rebuild's token (see WHOLE_MARK)."""
        self.put_scores(scope, {WHOLE_MARK: token}, api_key)

    @tracer.capture_method(capture_response=False)
    def is_whole(self, scope: Scope, api_key: Secret) -> bool:
        board = set_name(scope)
        response = self._with_key(
            api_key, lambda client: client.sorted_set_get_scores(self._config.cache_name, board, list(MARKS))
        )
        answers = _scores(response, board)
        return answers is not None and _marks(answers).whole

    @tracer.capture_method(capture_response=False)
    def size(self, scope: Scope, api_key: Secret) -> int:
        """Players in the board's set (its marks not counted); 0 when the set does not exist (make backfill's
        check of the boards it is given)."""
        return self._counted(set_name(scope), api_key)

    def _counted(self, board: str, api_key: Secret) -> int:
        """The set's players, its marks not counted: its length and its marks read at once."""
        cache = self._config.cache_name
        length, marks = self._with_key(
            api_key,
            lambda client: self._all_at_once(
                lambda: raw_call(client, cache, "SortedSetLength", _length_request(board)),
                lambda: client.sorted_set_get_scores(cache, board, list(MARKS)),
            ),
        )
        scores = _scores(marks, board)
        return _length(length, board) - (_marks(scores).count if scores else 0)

    @tracer.capture_method(capture_response=False)
    def scores_of(self, scope: Scope, players: Sequence[str], api_key: Secret) -> dict[str, float]:
        board = set_name(scope)
        response = self._with_key(
            api_key, lambda client: client.sorted_set_get_scores(self._config.cache_name, board, list(players))
        )
        answers = _scores(response, board) or []
        return {
            player: answer.score
            for player, answer in zip(players, answers, strict=False)
            if isinstance(answer, CacheSortedSetGetScore.Hit)
        }

    @tracer.capture_method(capture_response=False)
    def keep_alive(self, scope: Scope, api_key: Secret) -> bool:
        """Raises the set's TTL back to the full TTL without rewriting it; False when the set does not exist."""
        board = set_name(scope)
        request = cache_pb._UpdateTtlRequest(
            cache_key=board.encode("utf-8"),
            increase_to_milliseconds=int(self._config.leaderboard_ttl.total_seconds() * 1000),
        )
        answer = self._with_key(api_key, lambda client: raw_call(client, self._config.cache_name, "UpdateTtl", request))
        if isinstance(answer, RawError):
            raise _error_for(answer, board)
        return bool(answer.WhichOneof("result") != "missing")

    @tracer.capture_method(capture_response=False)
    def forget(self, scope: Scope, api_key: Secret) -> None:
        """Drops the board's set (a board past its retention leaves the index; the record keeps it)."""
        board = set_name(scope)
        response = self._with_key(api_key, lambda client: client.delete(self._config.cache_name, board))
        if not isinstance(response, CacheDelete.Success):
            raise _error_for(response, board)

    @tracer.capture_method(capture_response=False)
    def remove_players(self, scope: Scope, players: Sequence[str], api_key: Secret) -> None:
        board = set_name(scope)
        response = self._with_key(
            api_key,
            lambda client: client.sorted_set_remove_elements(self._config.cache_name, board, list(players)),
        )
        if not isinstance(response, CacheSortedSetRemoveElements.Success):
            raise _error_for(response, board)

    @tracer.capture_method(capture_response=False)
    def get_standing(
        self, scope: Scope, player: str, rules: BoardSettings, api_key: Secret
    ) -> Indexed[Standing | None]:
        """The player's score and 0-based rank by the board's rules, None when not in the set; and whether the set
        is whole. Score, rank and the mark are read at once; a shared rank is then counted."""
        found = self._find(set_name(scope), player, rules, api_key)
        if found.value is None or stale(rules, found.rules):
            return Indexed(None, found.whole, found.rules, found.token)
        score, rank, _, _ = found.value
        if rules.ties == "shared":
            rank = self._count_better(set_name(scope), score, rules, api_key)
        return Indexed(Standing(score=score, rank=rank), found.whole, found.rules, found.token)

    @tracer.capture_method(capture_response=False)
    def page_by_rank(
        self, scope: Scope, start_rank: int, end_rank: int, rules: BoardSettings, api_key: Secret
    ) -> Indexed[BoardView]:
        """Entries ranked [start_rank, end_rank) by the board's rules (empty for a set that does not exist), and
        the total; and whether the set is whole. The page, the mark and the length are read at once."""
        board = set_name(scope)
        context = context_above(rules, start_rank)
        first = start_rank - context
        # As many more than the page as there are marks: on an ascending board the marks rank first, so a whole
        # set's ranks are fewer than their positions; fetching that many extra serves every case from one call.
        fetched, marks_read, length = self._with_key(
            api_key,
            lambda client: self._all_at_once(
                lambda: self._fetch(client, board, first, end_rank + len(MARKS), rules),
                lambda: client.sorted_set_get_scores(self._config.cache_name, board, list(MARKS)),
                lambda: raw_call(client, self._config.cache_name, "SortedSetLength", _length_request(board)),
            ),
        )
        elements, scores = _fetched(fetched, board), _scores(marks_read, board)
        if elements is None or scores is None:
            return Indexed(BoardView([], 0), whole=False)
        marks = _marks(scores)
        total = _length(length, board) - marks.count
        if stale(rules, marks.rules):  # ranked by settings the board no longer has: the caller reads again
            return marks.indexed(BoardView([], total))
        ranked = _ranked(elements, first, marks.first(rules))
        entries = [e for e in ranked if start_rank <= e.rank < end_rank]
        before = [e for e in ranked if e.rank < start_rank]
        return marks.indexed(
            BoardView(
                share(entries, before, rules, lambda score: self._count_better(board, score, rules, api_key)), total
            )
        )

    @tracer.capture_method(capture_response=False)
    def around(
        self, scope: Scope, player: str, each_side: int, rules: BoardSettings, api_key: Secret
    ) -> Indexed[list[Entry] | None]:
        """The player's entry with up to `each_side` entries above and below (the window shifted to hold 2n+1
        near either end); None when the player is not in the set."""
        board = set_name(scope)
        found = self._find(board, player, rules, api_key, with_length=True)
        if found.value is None or stale(rules, found.rules):
            return Indexed(None, found.whole, found.rules, found.token)
        _, rank, total, offset = found.value
        size = 2 * each_side + 1
        first = max(0, min(rank - each_side, total - size))
        end = min(total, first + size)
        context = context_above(rules, first)
        fetched = self._with_key(
            api_key,
            lambda client: self._fetch(client, board, first - context + offset, end + offset, rules),
        )
        ranked = _ranked(_fetched(fetched, board) or [], first - context + offset, offset)
        entries = [e for e in ranked if first <= e.rank < end]
        before = [e for e in ranked if e.rank < first]
        return Indexed(
            share(entries, before, rules, lambda score: self._count_better(board, score, rules, api_key)),
            found.whole,
            found.rules,
            found.token,
        )

    @tracer.capture_method(capture_response=False)
    def friends(
        self, scope: Scope, players: Sequence[str], rules: BoardSettings, api_key: Secret
    ) -> Indexed[BoardView]:
        """The named players who are on the board, by rank, and the board's total. Their scores and the mark come
        in one call; their ranks (distinct: one get_rank each; shared: one count per distinct score) in parallel."""
        board = set_name(scope)
        scores, length = self._with_key(
            api_key,
            lambda client: self._all_at_once(
                lambda: client.sorted_set_get_scores(self._config.cache_name, board, [*players, *MARKS]),
                lambda: raw_call(client, self._config.cache_name, "SortedSetLength", _length_request(board)),
            ),
        )
        answers = _scores(scores, board)
        if answers is None:
            return Indexed(BoardView([], 0), whole=False)
        marks = _marks(answers[-len(MARKS) :])
        total = _length(length, board) - marks.count
        # The settings come with the scores: no second read when only the ranking ones changed.
        if marks.rules is not None and marks.rules.same_seasons(rules):
            rules = marks.rules.applied_to(rules)
        elif stale(rules, marks.rules):  # other periods: the caller learns them from the record and reads again
            return marks.indexed(BoardView([], total))
        found = {
            player: answer.score
            for player, answer in zip(players, answers[: -len(MARKS)], strict=True)
            if isinstance(answer, CacheSortedSetGetScore.Hit)
        }
        ranks = self._ranks_of(board, found, rules, api_key)
        offset = 0 if rules.ties == "shared" else marks.first(rules)
        entries = [
            Entry(rank=rank - offset, player=p, score=found[p])
            for p, rank in zip(found, ranks, strict=True)
            if rank is not None
        ]
        # Ties in Momento's own order: by name's bytes, descending on a higher-first board.
        entries.sort(key=lambda e: e.player.encode("utf-8"), reverse=rules.order == "desc")
        entries.sort(key=lambda e: e.rank)
        return marks.indexed(BoardView(entries, total))

    def _find(
        self, board: str, player: str, rules: BoardSettings, api_key: Secret, with_length: bool = False
    ) -> Indexed[tuple[float, int, int, int] | None]:
        """The player's score, distinct rank, (when asked) the board's total, and the positions the marks take
        before the first player, with the marks, in one round."""
        cache_name = self._config.cache_name
        scores, rank, length = self._with_key(
            api_key,
            lambda client: self._all_at_once(
                lambda: client.sorted_set_get_scores(cache_name, board, [player, *MARKS]),
                lambda: raw_call(client, cache_name, "SortedSetGetRank", _rank_request(board, player, rules)),
                lambda: (
                    raw_call(client, self._config.cache_name, "SortedSetLength", _length_request(board))
                    if with_length
                    else None
                ),
            ),
        )
        answers = _scores(scores, board)
        if answers is None:
            return Indexed(None, whole=False)
        score, marks = answers[0], _marks(answers[1:])
        if not isinstance(score, CacheSortedSetGetScore.Hit):
            return marks.indexed(None)
        position = _position(rank, board)
        if position is None:
            return marks.indexed(None)  # removed between the two reads
        total = _length(length, board) - marks.count if with_length else 0
        return marks.indexed((score.score, position - marks.first(rules), total, marks.first(rules)))

    def _count_better(self, board: str, score: float, rules: BoardSettings, api_key: Secret) -> int:
        """Players whose score ranks strictly before `score`: the shared (competition) rank of that score."""
        request = _better_than(board, score, rules)
        answer = self._with_key(
            api_key, lambda client: raw_call(client, self._config.cache_name, "SortedSetLengthByScore", request)
        )
        return _length(answer, board)

    def _ranks_of(self, board: str, found: dict[str, float], rules: BoardSettings, api_key: Secret) -> list[int | None]:
        """Each player's position in the board's order (distinct ties: the marks counted) or shared rank, None for
        one gone meanwhile. One call per player (distinct) or per distinct score (shared), PARALLEL_CALLS at once."""
        if rules.ties == "shared":
            scores = list(dict.fromkeys(found.values()))
            requests: list[Any] = [_better_than(board, score, rules) for score in scores]
            answers = self._each(api_key, "SortedSetLengthByScore", requests)
            better = {score: _length(answer, board) for score, answer in zip(scores, answers, strict=True)}
            return [better[score] for score in found.values()]
        requests = [_rank_request(board, player, rules) for player in found]
        answers = self._each(api_key, "SortedSetGetRank", requests)
        return [_position(answer, board) for answer in answers]

    def _fetch(self, client: CacheClient, board: str, start: int, end: int, rules: BoardSettings) -> Any:
        """Elements at positions [start, end) of the board's order, the mark included (read with _fetched)."""
        return client.sorted_set_fetch_by_rank(self._config.cache_name, board, start, end, _sort_order(rules))

    def _all_at_once(self, *calls: Callable[[], Any]) -> tuple[Any, ...]:
        """Runs the calls at once, the first on this thread; their answers in order."""
        others = [self._parallel.submit(call) for call in calls[1:]]
        first = calls[0]()
        return (first, *(other.result() for other in others))

    def _each(self, api_key: Secret, rpc: str, requests: list[Any]) -> list[Any]:
        """One raw call per request, PARALLEL_CALLS at a time: the SDK's synchronous channel waits for each call's
        status in its retry interceptor, so gRPC futures on it would run one after another; threads do not."""
        return list(
            self._parallel.map(
                lambda request: self._with_key(api_key, lambda c: raw_call(c, self._config.cache_name, rpc, request)),
                requests,
            )
        )

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
                _close(stale)
            return self._client

    def _create_client(self, key: str) -> CacheClient:
        try:
            credentials = self._credentials(key)
        except Exception as error:
            # A key the SDK cannot parse is as unusable as a revoked one. The SDK's message never holds the key.
            logger.error("The Momento API key is malformed", extra={"error": type(error).__name__})
            raise KeyUnavailable("the Momento API key is malformed") from None
        return CacheClient.create(
            (self._momento_configuration or Configurations.Lambda.latest()).with_client_timeout(
                self._config.momento_timeout
            ),
            credentials,
            self._config.leaderboard_ttl,
            eager_connection_timeout=EAGER_CONNECTION_TIMEOUT,
        )

    def _credentials(self, key: str) -> CredentialProvider:
        return momento_credentials(key, self._config.momento_endpoint, self._config.momento_local_address)


_TOKENS = random.SystemRandom()  # from the OS: environments SnapStart restored from one snapshot share `random`'s state


def _close(client: CacheClient | None) -> None:
    if client is not None:
        client.__exit__(None, None, None)  # CacheClient has no close(); exiting its context closes it


def _sort_order(rules: BoardSettings) -> SortOrder:
    return SortOrder.ASCENDING if rules.order == "asc" else SortOrder.DESCENDING


def _scores(response: Any, board: str) -> list[Any] | None:
    """A get_scores answer's parts; None: no set."""
    if isinstance(response, CacheSortedSetGetScores.Miss):
        return None
    if not isinstance(response, CacheSortedSetGetScores.Hit):
        raise _error_for(response, board)
    return list(response.responses)


def _ranked(fetched: list[tuple[bytes, float]], first: int, offset: int) -> list[Entry]:
    """Fetched elements (from position `first`) as entries with their distinct ranks, the mark left out."""
    return [
        Entry(rank=first + position - offset, player=value.decode("utf-8"), score=score)
        for position, (value, score) in enumerate(fetched)
        if value not in MARK_BYTES
    ]


def _fetched(response: Any, board: str) -> list[tuple[bytes, float]] | None:
    """A fetch's elements; None: no set. (Errors are read after the call, so a rejected key is retried first.)"""
    if isinstance(response, CacheSortedSetFetch.Miss):
        return None
    if not isinstance(response, CacheSortedSetFetch.Hit):
        raise _error_for(response, board)
    return list(response.value_list_bytes)


def _better_than(board: str, score: float, rules: BoardSettings) -> Any:
    """A count of the scores ranking strictly before `score`; its bounds leave the mark out (scored below -2^53)."""
    request = cache_pb._SortedSetLengthByScoreRequest(set_name=board.encode("utf-8"))
    if rules.order == "desc":
        request.exclusive_min = score
        request.unbounded_max.SetInParent()
    else:
        request.inclusive_min = -float(MAX_ABS_SCORE)
        request.exclusive_max = score
    return request


def _position(answer: Any, board: str) -> int | None:
    if isinstance(answer, RawError):
        raise _error_for(answer, board)
    if answer.WhichOneof("rank") == "missing" or answer.element_rank.result != cache_pb.Hit:
        return None
    return int(answer.element_rank.rank)


def _rank_request(board: str, player: str, rules: BoardSettings) -> Any:
    """SortedSetGetRank, sent raw: the SDK's own call answers a set that does not exist with UNKNOWN_ERROR (SDK 1.29
    reads only `element_rank`, not the wire's `missing`) and logs that as a warning on every such read; _position
    reads both."""
    order = (
        cache_pb._SortedSetGetRankRequest.ASCENDING
        if rules.order == "asc"
        else cache_pb._SortedSetGetRankRequest.DESCENDING
    )
    return cache_pb._SortedSetGetRankRequest(set_name=board.encode("utf-8"), value=player.encode("utf-8"), order=order)


def _length_request(board: str) -> Any:
    return cache_pb._SortedSetLengthRequest(set_name=board.encode("utf-8"))


def _length(answer: Any, board: str) -> int:
    if isinstance(answer, RawError):
        raise _error_for(answer, board)
    return 0 if answer.WhichOneof("sorted_set") == "missing" else int(answer.found.length)


def _rejected_key(result: object) -> bool:
    responses = result if isinstance(result, tuple) else (result,)
    return any(getattr(r, "error_code", None) == MomentoErrorCode.AUTHENTICATION_ERROR for r in responses)


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


def _marks(answers: list[Any]) -> Marks:
    """The marks from a get_scores answer's last parts ([..., *MARKS])."""
    whole, start, settings = (
        answer.score if isinstance(answer, CacheSortedSetGetScore.Hit) else None for answer in answers[-len(MARKS) :]
    )
    return marks_of(whole, start, settings)
