"""API Gateway proxy responses with JSON bodies: with http_error_handler's table, the only place HTTP statuses live."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

JSON_HEADERS = {"Content-Type": "application/json"}
# One encoder for every response: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def ok(body: Any) -> dict[str, Any]:
    return json_response(HTTPStatus.OK, body)


def accepted(body: Any) -> dict[str, Any]:
    return json_response(HTTPStatus.ACCEPTED, body)


def no_content() -> dict[str, Any]:
    return {"statusCode": int(HTTPStatus.NO_CONTENT), "headers": {}, "body": "", "isBase64Encoded": False}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": int(status),
        "headers": {**JSON_HEADERS, **(headers or {})},
        "body": _ENCODER.encode(body),
        "isBase64Encoded": False,
    }


def with_cors(response: dict[str, Any], allow_origin: str) -> dict[str, Any]:
    """Adds the CORS header every response needs, errors included, so browsers can read them."""
    headers = {**(response.get("headers") or {}), "Access-Control-Allow-Origin": allow_origin}
    if allow_origin != "*":
        headers["Vary"] = "Origin"
    return {**response, "headers": headers}
