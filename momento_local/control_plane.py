"""The control plane (`control_client.ScsControl`): create, delete, list and flush caches."""

from __future__ import annotations

from typing import Any

import grpc
from momento_wire_types import controlclient_pb2 as pb
from momento_wire_types import controlclient_pb2_grpc as pb_grpc

from momento_local.errors import StatusError
from momento_local.store import Store


class ControlPlane(pb_grpc.ScsControlServicer):
    def __init__(self, store: Store) -> None:
        self._store = store

    def CreateCache(self, request: pb._CreateCacheRequest, context: grpc.ServicerContext) -> Any:
        self._store.create_cache(_cache_name(request.cache_name))
        return pb._CreateCacheResponse()

    def DeleteCache(self, request: pb._DeleteCacheRequest, context: grpc.ServicerContext) -> Any:
        self._store.delete_cache(_cache_name(request.cache_name))
        return pb._DeleteCacheResponse()

    def FlushCache(self, request: pb._FlushCacheRequest, context: grpc.ServicerContext) -> Any:
        self._store.flush_cache(_cache_name(request.cache_name))
        return pb._FlushCacheResponse()

    def ListCaches(self, request: pb._ListCachesRequest, context: grpc.ServicerContext) -> Any:
        caches = [pb._Cache(cache_name=name) for name in self._store.cache_names()]
        return pb._ListCachesResponse(cache=caches, next_token="")


def _cache_name(name: str) -> str:
    if not name.strip():
        raise StatusError(grpc.StatusCode.INVALID_ARGUMENT, "cache name must not be empty")
    return name
