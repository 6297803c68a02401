"""moto's server (SSM and DynamoDB on one port), made to apply one request at a time.

moto's DynamoDB backend is not thread-safe: two concurrent UpdateItem calls on one item can both read the old item
and one increment is lost (`ADD version :one` counted 49 of 50 concurrent writes). DynamoDB applies each write to an
item atomically, and the service's write path relies on that, so the local stand-in must too. moto's own
ThreadedMotoServer serves requests on concurrent threads with no lock; this server wraps the same application in one.
Every local request is a few milliseconds of Python, so one at a time costs little.
"""

from __future__ import annotations

from collections.abc import Iterable
from threading import Event, Lock, Thread
from typing import TYPE_CHECKING, Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class _OneAtATime:
    """A WSGI application that lets one request at a time into the wrapped one (body included)."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            # moto's responses are in memory: collect them under the lock, so no backend code runs outside it.
            return list(self._app(environ, start_response))


class LocalAwsServer:
    """moto's server on a thread of its own; start(), endpoint, stop()."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app: Any = DomainDispatcherApplication(create_backend_app)
        self._server: BaseWSGIServer = make_server(
            host, port, _OneAtATime(app), threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = Thread(target=self._server.serve_forever, name="local-aws", daemon=True)
        self._started = Event()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalAwsServer:
        self._thread.start()
        self._started.set()
        return self

    def stop(self) -> None:
        if self._started.is_set():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
