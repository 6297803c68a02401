"""One way to call the API for the contract suite, over two transports: in-process handlers, or real HTTP. Each call
names the handler it is for; template.yaml says its route (method and path), as it does for API Gateway."""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from requests.structures import CaseInsensitiveDict

from tests.support.lambda_fakes import (
    Query,
    around_event,
    board_page_event,
    page_event,
    remove_board_event,
    remove_player_event,
    settings_event,
    standing_event,
    submit_event,
    with_headers,
    with_query,
)
from tests.support.service import Service
from tests.support.template import route_of

Headers = dict[str, str]
JOSE = "José María 🏎"  # a player name with accents, spaces and an emoji


@dataclass
class ApiResponse:
    status: int
    headers: CaseInsensitiveDict[str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def assert_error(response: ApiResponse, status: int, *words: str) -> dict[str, str]:
    """An error is JSON {"message", "requestId"} with the status (a 503 of a board being restored adds the
    restore's progress), and never shows internals."""
    assert response.status == status, (response.status, response.text)
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) - {"restore"} == {"message", "requestId"}
    assert "restore" not in body or status == 503, body
    assert body["requestId"]
    for word in words:
        assert word in body["message"], body["message"]
    assert "Traceback" not in response.text
    return {name: value for name, value in body.items() if isinstance(value, str)}


class ApiClient(Protocol):
    """`body` is JSON-encoded unless `raw` (then sent as the exact text given); `idempotency_key` is sent as the
    Idempotency-Key header."""

    def submit(
        self,
        board: str,
        name: str,
        body: Any,
        *,
        raw: bool = False,
        content_type: str | None = "application/json",
        idempotency_key: str | None = None,
    ) -> ApiResponse: ...

    def standing(
        self, board: str, name: str, query: Query | None = None, *, headers: Headers | None = None
    ) -> ApiResponse: ...

    def page(self, board: str, query: Query | None = None, *, headers: Headers | None = None) -> ApiResponse: ...

    def board_page(self, query: Query | None = None, *, headers: Headers | None = None) -> ApiResponse: ...

    def around(
        self, board: str, name: str, query: Query | None = None, *, headers: Headers | None = None
    ) -> ApiResponse: ...

    def settings(self, board: str, body: Any) -> ApiResponse: ...

    def remove_player(self, board: str, name: str) -> ApiResponse: ...

    def remove_board(self, board: str) -> ApiResponse: ...


class InProcessClient:
    """Invokes the handlers directly with API Gateway events (what Lambda receives), each handed to the function
    template.yaml routes the event's method and resource to."""

    def __init__(self, service: Service) -> None:
        self._service = service

    def submit(
        self,
        board: str,
        name: str,
        body: Any,
        *,
        raw: bool = False,
        content_type: str | None = "application/json",
        idempotency_key: str | None = None,
    ) -> ApiResponse:
        extra = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        return self._call(submit_event(board, name, body, raw_body=raw, content_type=content_type, headers=extra))

    def standing(
        self, board: str, name: str, query: Query | None = None, *, headers: Headers | None = None
    ) -> ApiResponse:
        return self._call(with_headers(with_query(standing_event(board, name), query), headers))

    def page(self, board: str, query: Query | None = None, *, headers: Headers | None = None) -> ApiResponse:
        return self._call(with_headers(page_event(board, query), headers))

    def board_page(self, query: Query | None = None, *, headers: Headers | None = None) -> ApiResponse:
        return self._call(with_headers(board_page_event(query), headers))

    def around(
        self, board: str, name: str, query: Query | None = None, *, headers: Headers | None = None
    ) -> ApiResponse:
        return self._call(with_headers(around_event(board, name, query), headers))

    def settings(self, board: str, body: Any) -> ApiResponse:
        return self._call(settings_event(board, body))

    def remove_player(self, board: str, name: str) -> ApiResponse:
        return self._call(remove_player_event(board, name))

    def remove_board(self, board: str) -> ApiResponse:
        return self._call(remove_board_event(board))

    def _call(self, event: dict[str, Any]) -> ApiResponse:
        result = self._service.handle(event)
        body = result["body"]
        text = base64.b64decode(body).decode() if result.get("isBase64Encoded") else body
        return ApiResponse(result["statusCode"], CaseInsensitiveDict(result.get("headers") or {}), text)


@dataclass(frozen=True)
class HttpTarget:
    """Where the API is, and what a writer must send: an API key, or (IAM) a SigV4 signature."""

    url: str
    api_key: str | None = None
    sign_writes: bool = False
    # What an admin call sends: a SigV4 signature with these credentials (AdminAuth=IAM; None: the caller's own),
    # or the admin key as x-api-key (AdminAuth=API_KEY).
    admin_credentials: Credentials | None = None
    admin_key: str | None = None


class HttpClient:
    """Real HTTP against a base URL: the local dev server, or a deployed stage."""

    def __init__(self, target: HttpTarget, session: requests.Session, *, see_own_writes: bool = True) -> None:
        self._target = target
        self._base = target.url.rstrip("/")
        self._session = session
        self._see_own_writes = see_own_writes
        self._written: dict[str, float] = {}  # board -> when this client last changed it (monotonic)

    def submit(
        self,
        board: str,
        name: str,
        body: Any,
        *,
        raw: bool = False,
        content_type: str | None = "application/json",
        idempotency_key: str | None = None,
    ) -> ApiResponse:
        data = (body if raw else json.dumps(body)).encode("utf-8")
        headers = {"Content-Type": content_type} if content_type is not None else {}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if self._target.api_key is not None:
            headers["x-api-key"] = self._target.api_key
        method, url = self._route("handlers.submit_score", leaderboard=board, name=name)
        if self._target.sign_writes:
            headers = sigv4_headers(method, url, headers, data)
        self._written[board] = time.monotonic()
        return self._send(method, url, data=data, headers=headers)

    def standing(
        self, board: str, name: str, query: Query | None = None, *, headers: Headers | None = None
    ) -> ApiResponse:
        method, url = self._route("handlers.get_standing", leaderboard=board, name=name)
        return self._send(method, url, params=query, headers=headers)

    def page(self, board: str, query: Query | None = None, *, headers: Headers | None = None) -> ApiResponse:
        # A stage that keeps pages (ReadCacheSeconds) shows a write in them at most max-age later: wait that long
        # after this client's last change of the board, as a client that must see its own write would.
        if self._see_own_writes and (written := self._written.get(board)) is not None:
            time.sleep(max(0.0, written + _KEPT_FOR.get(self._base, 0.0) - time.monotonic()))
        method, url = self._route("handlers.get_leaderboard", leaderboard=board)
        response = self._send(method, url, params=query, headers=headers)
        if response.status == 200 and (found := _MAX_AGE.fullmatch(response.headers.get("Cache-Control", ""))):
            # A page can only be kept once read, so the first page read from a stage teaches the window in time.
            _KEPT_FOR[self._base] = float(found[1])
        return response

    def board_page(self, query: Query | None = None, *, headers: Headers | None = None) -> ApiResponse:
        method, url = self._route("handlers.get_page")
        return self._send(method, url, params=query, headers=headers)

    def around(
        self, board: str, name: str, query: Query | None = None, *, headers: Headers | None = None
    ) -> ApiResponse:
        method, url = self._route("handlers.get_around", leaderboard=board, name=name)
        return self._send(method, url, params=query, headers=headers)

    def settings(self, board: str, body: Any) -> ApiResponse:
        self._written[board] = time.monotonic()
        method, url = self._route("handlers.update_board_settings", leaderboard=board)
        return self._admin(method, url, json.dumps(body).encode("utf-8"))

    def remove_player(self, board: str, name: str) -> ApiResponse:
        self._written[board] = time.monotonic()
        return self._admin(*self._route("handlers.remove_player", leaderboard=board, name=name))

    def remove_board(self, board: str) -> ApiResponse:
        self._written[board] = time.monotonic()
        return self._admin(*self._route("handlers.remove_board", leaderboard=board))

    def _admin(self, method: str, url: str, data: bytes = b"") -> ApiResponse:
        headers = {"Content-Type": "application/json"} if data else {}
        if self._target.admin_key is not None:
            headers["x-api-key"] = self._target.admin_key
        else:
            headers = sigv4_headers(method, url, headers, data, self._target.admin_credentials)
        return self._send(method, url, data=data, headers=headers)

    def _route(self, module: str, **values: str) -> tuple[str, str]:
        """The method and URL of the route template.yaml gives this handler, with `values` in its path parameters."""
        found = route_of(module)
        segments = [segment for segment in found.path.split("/") if segment]
        filled = [_encoded_segment(values[segment[1:-1]]) if segment[0] == "{" else segment for segment in segments]
        return found.method, self._base + ("".join("/" + segment for segment in filled) or "/")

    def _send(self, method: str, url: str, **kwargs: Any) -> ApiResponse:
        response = self._session.request(method, url, timeout=30, **kwargs)
        return ApiResponse(response.status_code, CaseInsensitiveDict(response.headers), response.text)


_MAX_AGE = re.compile(r"public, max-age=([0-9]+)")
_KEPT_FOR: dict[str, float] = {}  # base URL -> how long the stage keeps a page (its max-age), once a page said so


def _encoded_segment(segment: str) -> str:
    """Percent-encoded; a segment of only dots too, which HTTP clients would otherwise resolve away ("/../v")."""
    encoded = quote(segment, safe="")
    return encoded.replace(".", "%2E") if set(segment) == {"."} else encoded


def sigv4_headers(
    method: str, url: str, headers: dict[str, str], body: bytes, credentials: Credentials | None = None
) -> dict[str, str]:
    """Headers of a SigV4-signed request (WriteAuth=IAM, AdminAuth=IAM), signed with `credentials` (the local
    ones, for the dev server) or the caller's AWS credentials."""
    session = boto3.Session()
    region = session.region_name or "us-east-1"
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    credentials = credentials or session.get_credentials()
    if credentials is None:
        raise RuntimeError("signing a request (WriteAuth or AdminAuth IAM) needs AWS credentials")
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    return dict(request.headers.items())
