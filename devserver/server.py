"""The HTTP front door: API Gateway's routing and its own answers, in front of the function pools."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from devserver.events import (
    HttpRequest,
    HttpResponse,
    MalformedResponseError,
    build_event,
    gateway_answer,
    to_http_response,
)
from devserver.routing import match_route
from devserver.runtime import FunctionPool, runtime_environment
from devserver.template import Application

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's request payload limit


class Gateway:
    """Routes requests to functions the way API Gateway does, and answers for it where it answers first."""

    def __init__(self, app: Application, extra_environment: dict[str, str], log: Callable[[str], None]) -> None:
        self._extra_environment = extra_environment
        self._log = log
        self._lock = threading.Lock()
        self.app = app
        self.pools = self._pools(app)

    def handle(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self._dispatch(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._log(
            f"{request.method} {request.raw_path}{'?' + request.query if request.query else ''} "
            f"{response.status} {elapsed_ms:.0f}ms"
        )
        return response

    def reload_code(self) -> None:
        for pool in self.pools.values():
            pool.recycle()

    def replace_application(self, app: Application) -> None:
        with self._lock:
            old, self.app, self.pools = self.pools, app, self._pools(app)
        for pool in old.values():
            pool.close()

    def warm_up(self) -> None:
        """Starts one execution environment per function in the background, so the first request is warm."""
        for pool in list(self.pools.values()):
            threading.Thread(target=pool.warm, daemon=True).start()

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def _dispatch(self, request: HttpRequest) -> HttpResponse:
        with self._lock:
            app, pools = self.app, self.pools
        match = match_route(app.routes, request.method, request.raw_path)
        if match is None:
            return gateway_answer(403, "Missing Authentication Token")
        if len(request.body) > MAX_PAYLOAD_BYTES:
            return gateway_answer(413, "Request Too Long")
        request_id = str(uuid.uuid4())
        event = build_event(request, match, app.stage, request_id)
        outcome = pools[match.route.function_id].invoke(event, request_id)
        if outcome.timed_out:
            response = gateway_answer(504, "Endpoint request timed out")
        elif outcome.error is not None:
            response = gateway_answer(502, "Internal server error")
        else:
            try:
                response = to_http_response(outcome.result)
            except MalformedResponseError as error:
                self._log(f"malformed Lambda proxy response: {error}")
                response = gateway_answer(502, "Internal server error")
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def _pools(self, app: Application) -> dict[str, FunctionPool]:
        return {
            function_id: FunctionPool(spec, runtime_environment(spec, self._extra_environment))
            for function_id, spec in app.functions.items()
        }


class GatewayHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GatewayHttpServer

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = HttpRequest(
            method=self.command,
            raw_path=parts.path or "/",
            query=parts.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        response = self.server.gateway.handle(request)
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the gateway logs one line per request itself."""


def log_line(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)
