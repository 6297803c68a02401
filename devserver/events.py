"""HTTP request -> API Gateway REST (v1 proxy) event, and Lambda proxy response -> HTTP response, like API Gateway."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from devserver.local_aws import ACCOUNT_ID
from devserver.routing import Match

API_ID = "localapi00"


@dataclass
class HttpRequest:
    method: str
    raw_path: str  # still percent-encoded, without the query string
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class MalformedResponseError(ValueError):
    """The handler returned something API Gateway cannot turn into a response (it answers 502)."""


def build_event(
    request: HttpRequest,
    match: Match,
    stage: str,
    request_id: str | None = None,
    *,
    api_key: str | None = None,
    api_key_id: str | None = None,
    clock_offset_s: float = 0.0,
) -> dict[str, Any]:
    """The event API Gateway sends the route's function; `api_key` and its `api_key_id` are the stage's key the
    gateway accepted, on a method that requires one (None elsewhere, as in API Gateway's events). The request's time
    is the local stack's (`clock_offset_s` from the system's: devserver/time_travel.py)."""
    headers, multi_headers = _headers(request.headers)
    query, multi_query = _query(request.query)
    body, is_base64 = _body(request.body)
    now = time.time() + clock_offset_s
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": match.route.resource,
        "path": request.raw_path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, match.route.resource).hex[:6],
            "resourcePath": match.route.resource,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestId": request_id,
            "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now * 1000),
            "path": f"/{stage}{request.raw_path}",
            "stage": stage,
            "protocol": request.protocol,
            "domainName": headers.get("Host", "localhost"),
            "domainPrefix": headers.get("Host", "localhost").split(".")[0],
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": headers.get("User-Agent"),
                "accountId": None,
                "apiKey": api_key,
                "apiKeyId": api_key_id,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "user": None,
                "userArn": None,
                "accessKey": None,
            },
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def to_http_response(result: Any) -> HttpResponse:
    """Validates a Lambda proxy response as API Gateway does; anything off raises MalformedResponseError."""
    if not isinstance(result, dict):
        raise MalformedResponseError(f"response is a {type(result).__name__}, not an object")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponseError(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if not isinstance(values, list):
            raise MalformedResponseError("multiValueHeaders values must be lists")
        headers.extend((str(name), _header_value(v)) for v in values)
    single = result.get("headers") or {}
    if not isinstance(single, dict):
        raise MalformedResponseError("headers must be an object")
    names = {name.lower() for name, _ in headers}
    headers.extend((str(n), _header_value(v)) for n, v in single.items() if n.lower() not in names)
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponseError("body must be a string")
    raw = (body or "").encode("utf-8")
    if result.get("isBase64Encoded") and body:
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError as error:
            raise MalformedResponseError("body is marked base64 but is not") from error
    return HttpResponse(status, headers, raw)


def _headers(raw: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in raw:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _query(raw: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not raw:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single or None, multi or None


def _body(raw: bytes) -> tuple[str | None, bool]:
    """Text bodies pass as text; bodies that are not UTF-8 pass base64-encoded with isBase64Encoded set."""
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if not isinstance(value, str | int | float):
        raise MalformedResponseError("header values must be strings or numbers")
    return str(value)
