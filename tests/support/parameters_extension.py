"""A local stand-in for the AWS Parameters and Secrets Lambda Extension's HTTP endpoint, backed by an SSM server.

It answers `GET /systemsmanager/parameters/get?name=...&withDecryption=true` with the SSM GetParameter response, as
the extension does, and requires the `X-Aws-Parameters-Secrets-Token` header to equal the session token. Tests and
`make bench` use it to run the functions' extension path without Lambda.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.exceptions import ClientError

from devserver.local_aws import ssm_client

PATH = "/systemsmanager/parameters/get"


class ParametersExtension:
    def __init__(self, ssm_endpoint: str, session_token: str) -> None:
        ssm = ssm_client(ssm_endpoint)
        token = session_token

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path != PATH or "name" not in query:
                    return self._answer(404, {"message": "not found"})
                if self.headers.get("X-Aws-Parameters-Secrets-Token") != token:
                    return self._answer(401, {"message": "missing or wrong X-Aws-Parameters-Secrets-Token"})
                decrypt = query.get("withDecryption", ["false"])[0] == "true"
                try:
                    answer = ssm.get_parameter(Name=query["name"][0], WithDecryption=decrypt)
                except ClientError as error:
                    return self._answer(400, {"message": error.response["Error"]["Code"]})
                return self._answer(200, {"Parameter": answer["Parameter"]})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body, default=str).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
