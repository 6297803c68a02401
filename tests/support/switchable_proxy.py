"""A TCP proxy that can be switched off, or made to answer an error: how tests make a real server (moto's SSM or
DynamoDB) become unreachable, or throttle, mid-run."""

from __future__ import annotations

import json
import select
import socket
import socketserver
import threading
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType

DYNAMODB_TARGET_PREFIX = "com.amazonaws.dynamodb.v20120810"


@dataclass(frozen=True)
class AwsJsonError:
    """An error answer of an AWS JSON-protocol service, as botocore reads it: the HTTP status, and the error code
    after the '#' of `__type`."""

    code: str
    message: str
    status: int = 400
    type_prefix: str = DYNAMODB_TARGET_PREFIX

    def http_response(self) -> bytes:
        body = json.dumps({"__type": f"{self.type_prefix}#{self.code}", "message": self.message}).encode()
        head = (
            f"HTTP/1.1 {self.status} {HTTPStatus(self.status).phrase}\r\n"
            "Content-Type: application/x-amz-json-1.0\r\n"
            f"Content-Length: {len(body)}\r\n"
            "x-amzn-RequestId: switchable-proxy\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + body


# DynamoDB's two throttling answers: the table's (or an on-demand table's partition's) throughput exceeded, and the
# account-level request rate.
PROVISIONED_THROUGHPUT_EXCEEDED = AwsJsonError(
    "ProvisionedThroughputExceededException",
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API.",
)
THROTTLING = AwsJsonError("ThrottlingException", "Rate of requests exceeds the allowed throughput.")


class SwitchableProxy:
    """Forwards 127.0.0.1:<port> to a target while `up`; while down, drops every connection at once. With `answer`
    set (and up), it answers every request itself with that error instead of forwarding, and counts them in
    `answered` (so a test can see how many attempts a client's retries made).

    The switch applies per connection; moto closes each connection after its response, so in practice per request.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.up = True
        self.answer: AwsJsonError | None = None
        self.answered = 0
        self._count_lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                if not proxy.up:
                    self.request.close()
                    return
                if (answer := proxy.answer) is not None:
                    _read_request(self.request)
                    with proxy._count_lock:  # counted before answering: the client may look as soon as it has it
                        proxy.answered += 1
                    self.request.sendall(answer.http_response())
                    return
                with socket.create_connection((target_host, target_port), timeout=5) as upstream:
                    _pipe(self.request, upstream)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # A short poll: closing the proxy waits for it, once per test.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def answer_with(self, error: AwsJsonError | None) -> None:
        """From now on every request gets `error` (None: forward again); the count starts again at 0."""
        with self._count_lock:
            self.answer, self.answered = error, 0

    def __enter__(self) -> SwitchableProxy:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


def _read_request(client: socket.socket, timeout_s: float = 5) -> None:
    """Reads one HTTP request (head and Content-Length body), so the answer never races the client's upload."""
    client.settimeout(timeout_s)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return
        body += chunk


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
