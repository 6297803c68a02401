"""The gRPC server: both planes on one insecure port, behind one interceptor for auth, faults and error statuses."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from momento_wire_types import cacheclient_pb2_grpc, controlclient_pb2_grpc

from momento_local.control_plane import ControlPlane
from momento_local.data_plane import DataPlane
from momento_local.errors import StatusError, as_rpc_failure
from momento_local.faults import DEFAULT_LIMIT_ERROR, Faults, rpc_metadata_name
from momento_local.meter import Meter
from momento_local.store import DEFAULT_MAX_ITEM_SIZE_BYTES, CacheAlreadyExistsError, Store, running_clock

log = logging.getLogger("momento_local")

LOCAL_TOKEN = ""  # what CredentialProvider.for_momento_local sends as `authorization`
SWEEP_INTERVAL_S = 1.0
DELAY_POLL_S = 0.01
DATA_PLANE_PREFIX = "/cache_client.Scs/"  # metered and limited; the control plane is neither


class MomentoLocalServer:
    """A Momento-compatible server (sorted sets, scalars, TTLs); `with MomentoLocalServer(port=0) as s: ... s.port`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        tokens: Iterable[str] = (LOCAL_TOKEN,),
        max_item_size_bytes: int = DEFAULT_MAX_ITEM_SIZE_BYTES,
        caches: Iterable[str] = (),
        max_workers: int = 64,
        ops_per_second: int | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        """`clock_offset_s`: how far the server's clock, which TTLs run by, is from the system's (a local stack
        started at another instant: docs/time-travel.md)."""
        self.host = host
        self.port = port
        self.store = Store(max_item_size_bytes=max_item_size_bytes, clock=running_clock(clock_offset_s))
        self.faults = Faults()
        # Data-plane operations as Momento counts them; `meter.ops_per_second` (None: no limit) may change at any time.
        self.meter = Meter(ops_per_second)
        self._tokens = frozenset(tokens)
        self._initial_caches = list(caches)
        self._max_workers = max_workers
        self._server: grpc.Server | None = None
        self._stopped = threading.Event()
        self._calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def set_tokens(self, tokens: Iterable[str]) -> None:
        """Replaces the accepted tokens while running: the next request is checked against the new set."""
        self._tokens = frozenset(tokens)

    def accepts(self, token: str) -> bool:
        return token in self._tokens

    def record_call(self, rpc: str) -> None:
        with self._calls_lock:
            self._calls[rpc] += 1

    def calls(self, rpc: str) -> int:
        """How many requests for `rpc` (`sorted-set-put`, ...) arrived since start or `reset_calls()`: retries count."""
        with self._calls_lock:
            return self._calls[rpc]

    def reset_calls(self) -> None:
        with self._calls_lock:
            self._calls.clear()

    def start(self) -> MomentoLocalServer:
        server = grpc.server(
            ThreadPoolExecutor(max_workers=self._max_workers, thread_name_prefix="momento-local"),
            interceptors=[_Interceptor(self)],
            # Without this, Linux lets a second server bind the same port silently; a clash must fail loudly.
            options=[("grpc.so_reuseport", 0)],
        )
        cacheclient_pb2_grpc.add_ScsServicer_to_server(DataPlane(self.store), server)  # type: ignore[no-untyped-call]
        controlclient_pb2_grpc.add_ScsControlServicer_to_server(  # type: ignore[no-untyped-call]
            ControlPlane(self.store), server
        )
        self.port = server.add_insecure_port(f"{self.host}:{self.port}")
        for name in self._initial_caches:
            with contextlib.suppress(CacheAlreadyExistsError):
                self.store.create_cache(name)
        server.start()
        self._server = server
        self._stopped.clear()
        threading.Thread(target=self._sweep_forever, name="momento-local-sweeper", daemon=True).start()
        return self

    def stop(self, grace: float | None = 1.0) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.stop(grace).wait()
            self._server = None

    def wait(self) -> None:
        if self._server is not None:
            self._server.wait_for_termination()

    def __enter__(self) -> MomentoLocalServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _sweep_forever(self) -> None:
        while not self._stopped.wait(SWEEP_INTERVAL_S):
            self.store.sweep_expired()


class _Interceptor(grpc.ServerInterceptor):
    """Runs every unary RPC through: auth, injected delay, injected error, then the servicer with error mapping."""

    def __init__(self, server: MomentoLocalServer) -> None:
        self._server = server

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler[Any, Any] | None], details: Any
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        metadata = {key: value for key, value in details.invocation_metadata if isinstance(value, str)}
        rpc = rpc_metadata_name(details.method)
        metered = details.method.startswith(DATA_PLANE_PREFIX)
        servicer_method = handler.unary_unary
        meter = self._server.meter

        def run(request: Any, context: grpc.ServicerContext) -> Any:
            self._server.record_call(rpc)
            failure = self._admit(rpc, metadata, context)
            reserved = None
            if failure is None and metered:
                reserved = meter.admit(rpc, request)
                if reserved is None:
                    failure = StatusError(
                        grpc.StatusCode.RESOURCE_EXHAUSTED,
                        f"operations rate limit of {meter.ops_per_second}/s exceeded",
                        (("err", DEFAULT_LIMIT_ERROR),),
                    )
            if failure is None:
                try:
                    response = servicer_method(request, context)
                except NotImplementedError:
                    failure = StatusError(grpc.StatusCode.UNIMPLEMENTED, f"{rpc} is not implemented by momento-local")
                except Exception as error:
                    if reserved is not None:
                        meter.record(rpc, request, None, reserved)  # a misconfigured request still costs
                    failure = as_rpc_failure(error)
                    if failure.code == grpc.StatusCode.INTERNAL:
                        log.exception("unexpected error in %s", rpc)
                else:
                    if reserved is not None:
                        meter.record(rpc, request, response, reserved)
                    return response
            if failure.trailers:
                context.set_trailing_metadata(failure.trailers)
            context.abort(failure.code, failure.details)  # raises: the RPC ends here
            return None

        return grpc.unary_unary_rpc_method_handler(
            run,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _admit(self, rpc: str, metadata: dict[str, str], context: grpc.ServicerContext) -> StatusError | None:
        token = metadata.get("authorization")
        if token is None:
            return StatusError(grpc.StatusCode.UNAUTHENTICATED, "Missing authorization header")
        if not self._server.accepts(token):
            return StatusError(grpc.StatusCode.UNAUTHENTICATED, "Invalid API key")
        decision = self._server.faults.decide(rpc, metadata)
        if decision.delay_s > 0:
            deadline = time.monotonic() + decision.delay_s
            while (remaining := deadline - time.monotonic()) > 0 and context.is_active():
                time.sleep(min(DELAY_POLL_S, remaining))
            if not context.is_active():
                return StatusError(grpc.StatusCode.CANCELLED, "the client gave up during an injected delay")
        if decision.error is not None:
            return StatusError(decision.error, f"injected {decision.error.name} for {rpc}", decision.trailers)
        return None
