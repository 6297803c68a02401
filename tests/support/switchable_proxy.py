"""A TCP proxy that can be switched off: how tests make a real server (moto's SSM) become unreachable mid-run."""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from types import TracebackType


class SwitchableProxy:
    """Forwards 127.0.0.1:<port> to a target while `up`; while down, drops every connection at once."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.up = True
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                if not proxy.up:
                    self.request.close()
                    return
                with socket.create_connection((target_host, target_port), timeout=5) as upstream:
                    _pipe(self.request, upstream)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def __enter__(self) -> SwitchableProxy:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    sockets = [client, upstream]
    while True:
        readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)
