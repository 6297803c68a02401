"""The Lambda Invoke API in front of local function pools, as `sam local start-lambda` serves it: `make invoke`,
boto3's lambda client (`endpoint_url`) and the AWS CLI (`--endpoint-url`) call the functions `make dev` runs, with its
state.

Served: Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`; RequestResponse, Event and DryRun) and
ListFunctions (`GET /2015-03-31/functions/`), which also tells a client that a dev server is listening. FunctionName
is the template's logical id, the deployed name or its ARN. Not served: `LogType: Tail` (the logs are in the dev
server's terminal), and payloads other than a JSON object (the functions here take events).

Written on http.server rather than with SAM CLI's own service (samcli.local.lambda_service): that one is a Flask app
built around SAM's Docker runner, it installs its own SIGTERM handler, and Flask's blocking run() cannot report the
free port it picked.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from devserver.local_aws import function_arn
from devserver.runtime import FunctionPool, Outcome

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
LIST_PATH = re.compile(r"^/2015-03-31/functions/?$")
# What Lambda accepts as FunctionName: a name, a partial ARN or a full ARN, each with an optional qualifier.
FUNCTION_NAME = re.compile(
    r"^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:function:)?(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[^:]+))?$"
)
DEFAULT_DEV_PORT = 3000  # make dev's HTTP port; its Invoke API listens on the next one
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda's limit for a synchronous invocation's request

Pools = Callable[[], Mapping[str, FunctionPool]]


def lambda_port_for(http_port: int) -> int:
    """Where a dev server on `http_port` serves the Invoke API unless told otherwise: the next port (0 stays 0)."""
    return http_port + 1 if http_port else 0


def find_pool(pools: Mapping[str, FunctionPool], function_name: str) -> FunctionPool | None:
    """The pool a FunctionName means: the logical id, the deployed name or its ARN, unqualified or `$LATEST`."""
    parsed = FUNCTION_NAME.match(function_name)
    if parsed is None or parsed["qualifier"] not in (None, "$LATEST"):
        return None
    name = parsed["name"]
    return next((p for p in pools.values() if name in (p.spec.logical_id, p.spec.function_name)), None)


def invocation_answer(outcome: Outcome, timeout_s: int) -> tuple[Any, bool]:
    """What Lambda answers for an outcome: the payload, and whether it is a function error."""
    if outcome.timed_out:
        return {"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {timeout_s:.2f} seconds"}, True
    if outcome.error is not None:
        return outcome.error, True
    return outcome.result, False


class LambdaApiServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], pools: Pools, log: Callable[[str], None]) -> None:
        """`pools` is asked on every request, so a dev server that reloads its template serves the new functions."""
        self.pools = pools
        self.log = log
        super().__init__(address, _RequestHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, value: Any, headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})


def _error(status: int, error_type: str, message: str, kind: str = "User") -> _Answer:
    """Lambda's error shape: botocore reads the code from x-amzn-ErrorType (ResourceNotFoundException, ...)."""
    return _json(status, {"Type": kind, "Message": message}, {"x-amzn-ErrorType": error_type})


def _arn(function_name: str) -> str:
    return function_name if function_name.startswith("arn:") else function_arn(function_name)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LambdaApiServer

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        invoke = INVOKE_PATH.match(parts.path)
        if invoke is None:
            self._send(_unknown_operation())
            return
        name = unquote(invoke["name"])
        qualifier = parse_qs(parts.query).get("Qualifier", [None])[0]
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        answer = self._invoke(f"{name}:{qualifier}" if qualifier else name, body, request_id)
        answer.headers["x-amzn-RequestId"] = request_id
        elapsed_ms = (time.perf_counter() - started) * 1000
        outcome = " ".join(filter(None, [str(answer.status), answer.headers.get("X-Amz-Function-Error")]))
        self.server.log(f"Invoke {name} {outcome} {elapsed_ms:.0f}ms")
        self._send(answer)

    def do_GET(self) -> None:
        if LIST_PATH.match(urlsplit(self.path).path) is None:
            self._send(_unknown_operation())
            return
        functions = [
            {
                "FunctionName": pool.spec.function_name,
                "FunctionArn": function_arn(pool.spec.function_name),
                "Handler": pool.spec.handler,
                "Timeout": pool.spec.timeout_s,
                "MemorySize": pool.spec.memory_mb,
                "Version": "$LATEST",
                "PackageType": "Zip",
                "Description": f"{pool.spec.logical_id} (local)",
            }
            for pool in self.server.pools().values()
        ]
        self._send(_json(200, {"Functions": functions}))

    def _invoke(self, function_name: str, body: bytes, request_id: str) -> _Answer:
        pool = find_pool(self.server.pools(), function_name)
        if pool is None:
            return _error(404, "ResourceNotFoundException", f"Function not found: {_arn(function_name)}")
        if len(body) > MAX_PAYLOAD_BYTES:
            message = f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation"
            return _error(413, "RequestTooLargeException", message)
        try:
            event = json.loads(body or b"{}")
        except ValueError as error:
            return _error(400, "InvalidRequestContentException", f"Could not parse request body into json: {error}")
        if not isinstance(event, dict):
            message = f"the local Invoke API takes a JSON object (an event), not a {type(event).__name__}"
            return _error(400, "InvalidRequestContentException", message)
        invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type == "DryRun":
            return _Answer(204)
        if invocation_type == "Event":
            threading.Thread(target=pool.invoke, args=(event, request_id), daemon=True).start()
            return _Answer(202)
        if invocation_type != "RequestResponse":
            message = f"InvocationType {invocation_type!r} is not one of RequestResponse, Event, DryRun"
            return _error(400, "InvalidParameterValueException", message)
        payload, failed = invocation_answer(pool.invoke(event, request_id), pool.spec.timeout_s)
        headers = {"X-Amz-Executed-Version": "$LATEST", **({"X-Amz-Function-Error": "Unhandled"} if failed else {})}
        return _json(200, payload, headers)

    def _send(self, answer: _Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: one line per invocation is logged by the handler itself."""


def _unknown_operation() -> _Answer:
    message = (
        "this local Lambda API serves Invoke (POST /2015-03-31/functions/{FunctionName}/invocations) "
        "and ListFunctions (GET /2015-03-31/functions/) only"
    )
    return _error(404, "UnknownOperationException", message, kind="LocalService")
