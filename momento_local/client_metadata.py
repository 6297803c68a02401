"""A client-side SDK middleware that adds fixed metadata to every call: how callers send momento-local's fault
switches (delay-ms, return-error, ...) from an unmodified SDK, as upstream's own tests do."""

from __future__ import annotations

from momento.config.middleware import MiddlewareMessage, MiddlewareRequestHandlerContext, MiddlewareStatus
from momento.config.middleware.synchronous import Middleware, MiddlewareMetadata, MiddlewareRequestHandler


class MetadataMiddleware(Middleware):
    """Adds fixed request metadata to every call: how upstream's tests send momento-local's fault switches."""

    def __init__(self, **switches: str) -> None:
        self._pairs = [(key.replace("_", "-"), value) for key, value in switches.items()]

    def on_new_request(self, context: MiddlewareRequestHandlerContext) -> MiddlewareRequestHandler:
        return _AddMetadata(self._pairs)


class _AddMetadata(MiddlewareRequestHandler):
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def on_request_metadata(self, metadata: MiddlewareMetadata) -> MiddlewareMetadata:
        return MiddlewareMetadata([*(metadata.grpc_metadata or []), *self._pairs])

    def on_request_body(self, request: MiddlewareMessage) -> MiddlewareMessage:
        return request

    def on_response_metadata(self, metadata: MiddlewareMetadata) -> MiddlewareMetadata:
        return metadata

    def on_response_body(self, response: MiddlewareMessage) -> MiddlewareMessage:
        return response

    def on_response_status(self, status: MiddlewareStatus) -> MiddlewareStatus:
        return status
