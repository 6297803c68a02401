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

from devserver.api_keys import DEFAULT_ADMIN_KEY, StageKey, stage_keys
from devserver.events import HttpRequest, HttpResponse, MalformedResponseError, build_event, to_http_response
from devserver.gateway_auth import header, key_of, sigv4_denial
from devserver.gateway_responses import (
    FUNCTION_FAILED,
    FUNCTION_TIMED_OUT,
    INVALID_API_KEY,
    MISSING_ROUTE,
    REQUEST_TOO_LARGE,
    THROTTLED,
    UNDECODABLE_PATH,
    GatewayError,
    render,
)
from devserver.routing import UndecodablePathError, match_route
from devserver.runtime import FunctionPool, runtime_environment
from devserver.template import Application, RouteSpec
from devserver.throttling import Throttles

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's request payload limit


class Gateway:
    """Routes requests to functions the way API Gateway does, and answers for it where it answers first."""

    def __init__(
        self,
        app: Application,
        extra_environment: dict[str, str],
        log: Callable[[str], None],
        api_key: str,
        admin_key: str = DEFAULT_ADMIN_KEY,
        *,
        clock_offset_s: float = 0.0,
    ) -> None:
        """`clock_offset_s`: how far the local stack's clock is from the system's (devserver/time_travel.py), for the
        events' request time; the functions get it in `extra_environment`."""
        self._extra_environment = extra_environment
        self._clock_offset_s = clock_offset_s
        self._api_key = api_key
        self._admin_key = admin_key
        self._log = log
        self._lock = threading.Lock()
        self.app = app
        self.keys = stage_keys(app.api_keys, api_key, admin_key)
        self.pools = self._pools(app)
        self.throttles = Throttles(app.throttles)

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
        keys = stage_keys(app.api_keys, self._api_key, self._admin_key)
        with self._lock:
            old, self.app, self.keys, self.pools = self.pools, app, keys, self._pools(app)
            self.throttles = Throttles(app.throttles)
        for pool in old.values():
            pool.close()

    def warm_up(self) -> None:
        """Starts one execution environment per routed function in the background, so the first request is warm.
        A function no route reaches (a scheduled one) starts cold when invoked, as in Lambda."""
        routed = self.app.routed_functions
        for function_id, pool in list(self.pools.items()):
            if function_id in routed:
                threading.Thread(target=pool.warm, daemon=True).start()

    def close(self) -> None:
        """Stops every function's workers, busy ones too: the server is going away."""
        for pool in self.pools.values():
            pool.stop()

    def _dispatch(self, request: HttpRequest) -> HttpResponse:
        with self._lock:
            app, keys, pools, throttles = self.app, self.keys, self.pools, self.throttles
        request_id = str(uuid.uuid4())
        answer = self._answer(app, keys, pools, request, request_id, throttles=throttles)
        response = render(answer, app.gateway_responses, request_id) if isinstance(answer, GatewayError) else answer
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def _answer(
        self,
        app: Application,
        keys: list[StageKey],
        pools: dict[str, FunctionPool],
        request: HttpRequest,
        request_id: str,
        *,
        throttles: Throttles,
    ) -> HttpResponse | GatewayError:
        """The function's answer, or API Gateway's own where it answers first (or instead)."""
        try:
            if request.method == "OPTIONS" and (preflight := self._preflight(app, request)) is not None:
                return preflight
            match = match_route(app.routes, request.method, request.raw_path)
        except UndecodablePathError:
            return UNDECODABLE_PATH
        if match is None:
            return MISSING_ROUTE
        if not throttles.admit(match.route.resource, request.method):
            return THROTTLED
        # As API Gateway: any key of the stage passes a method that requires one; the function learns which by its id.
        key = key_of(request, keys) if match.route.auth == "api_key" else None
        if match.route.auth == "api_key" and key is None:
            return INVALID_API_KEY
        if match.route.auth == "iam" and (denial := sigv4_denial(request, _host_url(request))) is not None:
            return denial
        if len(request.body) > MAX_PAYLOAD_BYTES:
            return REQUEST_TOO_LARGE
        event = build_event(
            request,
            match,
            app.stage,
            request_id,
            api_key=key.value if key else None,
            api_key_id=key.key_id if key else None,
            clock_offset_s=self._clock_offset_s,
        )
        outcome = pools[match.route.function_id].invoke(event, request_id)
        if outcome.timed_out:
            return FUNCTION_TIMED_OUT
        if outcome.error is not None:
            error = outcome.error
            self._log(f"{match.route.function_id} failed: {error.get('errorType')}: {error.get('errorMessage')}")
            return FUNCTION_FAILED
        try:
            return to_http_response(outcome.result)
        except MalformedResponseError as error:
            self._log(f"malformed Lambda proxy response: {error}")
            return FUNCTION_FAILED

    @staticmethod
    def _preflight(app: Application, request: HttpRequest) -> HttpResponse | None:
        resources = [RouteSpec("OPTIONS", resource, "") for resource in app.preflights]
        match = match_route(resources, "OPTIONS", request.raw_path, decode=False)
        if match is None:
            return None
        preflight = app.preflights[match.route.resource]
        return HttpResponse(preflight.status, list(preflight.headers.items()))

    def _pools(self, app: Application) -> dict[str, FunctionPool]:
        return {
            function_id: FunctionPool(spec, runtime_environment(spec, self._extra_environment))
            for function_id, spec in app.functions.items()
        }


def _host_url(request: HttpRequest) -> str:
    """The URL the client signed: scheme and Host as it sent them."""
    return f"http://{header(request, 'host') or 'localhost'}"


class GatewayHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the listen backlog: socketserver's default of 5 resets bursts of new clients

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GatewayHttpServer

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        body = self._read_body()
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
        # 204 and 304 have no content by definition, and a 304's Content-Length would have to be the 200's.
        bodiless = response.status in (204, 304)
        if not bodiless:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and not bodiless:
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        """Every verb reaches the gateway (http.server would answer unknown ones 501 in HTML; API Gateway 403s)."""
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while (size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)) > 0:
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after each chunk
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the gateway logs one line per request itself."""


def log_line(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)
