"""The data plane (`cache_client.Scs`): sorted sets, scalars, TTLs and Delete; every other RPC answers UNIMPLEMENTED.

Request parsing and response shaping only; the rules live in `store` and `sorted_set`. Errors are raised as
`StatusError` and turned into a status (plus trailers) by the server's interceptor, so handlers stay linear.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from typing import Any

import grpc
from momento_wire_types import cacheclient_pb2 as pb
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc

from momento_local.conditions import ABSENT, Condition, Kind
from momento_local.errors import StatusError
from momento_local.sorted_set import ScoreBound, SortedSet
from momento_local.store import CacheView, Store, Ttl, TtlChange, TtlOutcome

DESCENDING = pb._SortedSetFetchRequest.DESCENDING
TTL_CHANGES = {
    "increase_to_milliseconds": TtlChange.INCREASE,
    "decrease_to_milliseconds": TtlChange.DECREASE,
    "overwrite_to_milliseconds": TtlChange.OVERWRITE,
}
# ItemGetTtl's answer for an item written without a TTL (only a raw request can make one): the largest uint64.
NO_EXPIRY_MS = 2**64 - 1


class DataPlane(pb_grpc.ScsServicer):
    def __init__(self, store: Store) -> None:
        self._store = store

    def SortedSetPut(self, request: pb._SortedSetPutRequest, context: grpc.ServicerContext) -> Any:
        elements = [(e.value, _valid_score(e.score)) for e in request.elements]
        with self._session(context) as cache:
            cache.put(request.set_name, elements, Ttl(request.ttl_milliseconds, request.refresh_ttl))
        return pb._SortedSetPutResponse()

    def SortedSetIncrement(self, request: pb._SortedSetIncrementRequest, context: grpc.ServicerContext) -> Any:
        amount = _valid_score(request.amount)
        with self._session(context) as cache:
            score = cache.increment(
                request.set_name, request.value, amount, Ttl(request.ttl_milliseconds, request.refresh_ttl)
            )
        return pb._SortedSetIncrementResponse(score=score)

    def SortedSetFetch(self, request: pb._SortedSetFetchRequest, context: grpc.ServicerContext) -> Any:
        descending = request.order == DESCENDING
        with self._session(context) as cache:
            members = cache.sorted_set(request.set_name)
            if members is None:
                return pb._SortedSetFetchResponse(missing=pb._SortedSetFetchResponse._Missing())
            elements = _fetch(members, request, descending)
        found = pb._SortedSetFetchResponse._Found()
        if request.with_scores:
            found.values_with_scores.elements.extend(pb._SortedSetElement(value=v, score=s) for v, s in elements)
        else:
            found.values.values.extend(v for v, _ in elements)
        return pb._SortedSetFetchResponse(found=found)

    def SortedSetGetScore(self, request: pb._SortedSetGetScoreRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            members = cache.sorted_set(request.set_name)
            if members is None:
                return pb._SortedSetGetScoreResponse(missing=pb._SortedSetGetScoreResponse._SortedSetMissing())
            scores = [members.score_of(v) for v in request.values]
        part = pb._SortedSetGetScoreResponse._SortedSetGetScoreResponsePart
        parts = [part(result=pb.Miss) if s is None else part(result=pb.Hit, score=s) for s in scores]
        return pb._SortedSetGetScoreResponse(found=pb._SortedSetGetScoreResponse._SortedSetFound(elements=parts))

    def SortedSetGetRank(self, request: pb._SortedSetGetRankRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            members = cache.sorted_set(request.set_name)
            if members is None:
                # The real service answers `missing` here; the Python SDK then reports an Error. Reproduced on purpose.
                return pb._SortedSetGetRankResponse(missing=pb._SortedSetGetRankResponse._SortedSetMissing())
            rank = members.rank(request.value, descending=request.order == pb._SortedSetGetRankRequest.DESCENDING)
        part = pb._SortedSetGetRankResponse._RankResponsePart
        element_rank = part(result=pb.Miss) if rank is None else part(result=pb.Hit, rank=rank)
        return pb._SortedSetGetRankResponse(element_rank=element_rank)

    def SortedSetRemove(self, request: pb._SortedSetRemoveRequest, context: grpc.ServicerContext) -> Any:
        which = request.WhichOneof("remove_elements")
        values = list(request.some.values) if which == "some" else None
        with self._session(context) as cache:
            cache.remove(request.set_name, values)
        return pb._SortedSetRemoveResponse()

    def SortedSetLength(self, request: pb._SortedSetLengthRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            members = cache.sorted_set(request.set_name)
            if members is None:
                return pb._SortedSetLengthResponse(missing=pb._SortedSetLengthResponse._Missing())
            length = len(members)
        return pb._SortedSetLengthResponse(found=pb._SortedSetLengthResponse._Found(length=length))

    def SortedSetLengthByScore(self, request: pb._SortedSetLengthByScoreRequest, context: grpc.ServicerContext) -> Any:
        low = _length_bound(request, "min")
        high = _length_bound(request, "max")
        with self._session(context) as cache:
            members = cache.sorted_set(request.set_name)
            if members is None:
                return pb._SortedSetLengthByScoreResponse(missing=pb._SortedSetLengthByScoreResponse._Missing())
            length = members.count_by_score(low, high)
        return pb._SortedSetLengthByScoreResponse(found=pb._SortedSetLengthByScoreResponse._Found(length=length))

    def Get(self, request: pb._GetRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            value = cache.scalar(request.cache_key)
        if value is None:
            return pb._GetResponse(result=pb.Miss)
        return pb._GetResponse(result=pb.Hit, cache_body=value)

    def Set(self, request: pb._SetRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            cache.set_scalar(request.cache_key, request.cache_body, request.ttl_milliseconds)
        return pb._SetResponse(result=pb.Ok)

    def SetIfNotExists(self, request: pb._SetIfNotExistsRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            stored = cache.set_scalar(request.cache_key, request.cache_body, request.ttl_milliseconds, ABSENT)
        response = pb._SetIfNotExistsResponse
        return response(stored=response._Stored()) if stored else response(not_stored=response._NotStored())

    def SetIf(self, request: pb._SetIfRequest, context: grpc.ServicerContext) -> Any:
        condition = _condition(request)
        with self._session(context) as cache:
            stored = cache.set_scalar(request.cache_key, request.cache_body, request.ttl_milliseconds, condition)
        response = pb._SetIfResponse
        return response(stored=response._Stored()) if stored else response(not_stored=response._NotStored())

    def Delete(self, request: pb._DeleteRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            cache.delete(request.cache_key)
        return pb._DeleteResponse()

    def UpdateTtl(self, request: pb._UpdateTtlRequest, context: grpc.ServicerContext) -> Any:
        which = request.WhichOneof("update_ttl")
        if which is None:
            raise StatusError(grpc.StatusCode.INVALID_ARGUMENT, f"one of {', '.join(TTL_CHANGES)} is required")
        ttl_ms: int = getattr(request, which)
        if ttl_ms == 0:
            raise StatusError(grpc.StatusCode.INVALID_ARGUMENT, f"{which} must be positive")
        with self._session(context) as cache:
            outcome = cache.update_ttl(request.cache_key, ttl_ms, TTL_CHANGES[which])
        response = pb._UpdateTtlResponse
        match outcome:
            case TtlOutcome.SET:
                return response(set=response._Set())
            case TtlOutcome.NOT_SET:
                return response(not_set=response._NotSet())
            case TtlOutcome.MISSING:
                return response(missing=response._Missing())

    def ItemGetTtl(self, request: pb._ItemGetTtlRequest, context: grpc.ServicerContext) -> Any:
        with self._session(context) as cache:
            remaining_s = cache.remaining_ttl_s(request.cache_key)
        response = pb._ItemGetTtlResponse
        if remaining_s is None:
            return response(missing=response._Missing())
        remaining_ms = NO_EXPIRY_MS if math.isinf(remaining_s) else int(remaining_s * 1000)
        return response(found=response._Found(remaining_ttl_millis=remaining_ms))

    def _session(self, context: grpc.ServicerContext) -> AbstractContextManager[CacheView]:
        cache_name = dict(context.invocation_metadata()).get("cache")
        if not cache_name:
            raise StatusError(grpc.StatusCode.INVALID_ARGUMENT, "the 'cache' metadata header is required")
        return self._store.session(str(cache_name))


def _condition(request: pb._SetIfRequest) -> Condition:
    which = request.WhichOneof("condition")
    if which is None:
        raise StatusError(grpc.StatusCode.INVALID_ARGUMENT, "SetIf needs a condition")
    return Condition(Kind[which.upper()], getattr(getattr(request, which), "value_to_check", b""))


def _valid_score(score: float) -> float:
    if math.isnan(score):
        raise StatusError(grpc.StatusCode.INVALID_ARGUMENT, "score must not be NaN")
    return score


def _fetch(members: SortedSet, request: pb._SortedSetFetchRequest, descending: bool) -> list[tuple[bytes, float]]:
    which = request.WhichOneof("range")
    if which == "by_score":
        by_score = request.by_score
        low = _fetch_bound(by_score, "min")
        high = _fetch_bound(by_score, "max")
        return members.by_score(low, high, descending, offset=by_score.offset, count=by_score.count)
    if which == "by_index":
        by_index = request.by_index
        start = by_index.inclusive_start_index if by_index.WhichOneof("start") == "inclusive_start_index" else None
        end = by_index.exclusive_end_index if by_index.WhichOneof("end") == "exclusive_end_index" else None
        return members.by_index(start, end, descending)
    return members.by_index(None, None, descending)  # no range given: the whole set


def _fetch_bound(by_score: pb._SortedSetFetchRequest._ByScore, side: str) -> ScoreBound:
    if by_score.WhichOneof(side) != f"{side}_score":
        return ScoreBound()
    bound = getattr(by_score, f"{side}_score")
    return ScoreBound(_valid_score(bound.score), bound.exclusive)


def _length_bound(request: pb._SortedSetLengthByScoreRequest, side: str) -> ScoreBound:
    which = request.WhichOneof(side)
    if which == f"inclusive_{side}":
        return ScoreBound(_valid_score(getattr(request, which)), exclusive=False)
    if which == f"exclusive_{side}":
        return ScoreBound(_valid_score(getattr(request, which)), exclusive=True)
    return ScoreBound()
