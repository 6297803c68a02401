"""Parses a JSON request body in place (`event["body"]` becomes the parsed value), as Middy's json-body-parser does."""

from __future__ import annotations

import base64
import binascii
import json
from http import HTTPStatus
from typing import Any

from shared.http_errors import HttpError, bad_request
from shared.middy import Hooks, Request

DEFAULT_MAX_BODY_BYTES = 4096


def json_body_parser(max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Hooks:
    def before(request: Request) -> None:
        event = request.event
        content_type = header(event, "content-type")
        if not is_json_media_type(content_type):
            raise HttpError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type must be application/json (got {content_type or 'none'}).",
            )
        raw = _body_bytes(event)
        if len(raw) > max_body_bytes:
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Request body is larger than the {max_body_bytes}-byte limit."
            )
        if not raw.strip():
            raise bad_request('Request body is empty; send a JSON object such as {"score": 42}.')
        try:
            event["body"] = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as error:
            raise bad_request(f"Request body is not valid JSON: {_describe(error)}") from None

    return Hooks(before=before)


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header, looked up case-insensitively (API Gateway passes headers as the client sent them)."""
    headers = event.get("headers") or {}
    wanted = name.lower()
    return next((str(value) for key, value in headers.items() if key.lower() == wanted), None)


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request("Request body is marked base64 but is not valid base64.") from None
    return str(body).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _describe(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}."
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text."
    if isinstance(error, RecursionError):
        return "it is nested too deeply."
    return f"{error}."
