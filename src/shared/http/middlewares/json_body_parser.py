"""Parses a JSON request body in place (`event["body"]` becomes the parsed value), as Middy's json-body-parser does.

Numbers with a fraction or an exponent are read as Decimal, exactly as written (a double would round a long
increment before it is summed); a key given twice in one object is refused, as a repeated query parameter is.
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from shared.domain.errors import InvalidInput
from shared.http.errors import BodyTooLarge, UnsupportedBody
from shared.http.middy import Hooks, Request
from shared.http.request import header, is_json_media_type

DEFAULT_MAX_BODY_BYTES = 4096


def json_body_parser(max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Hooks:
    def before(request: Request) -> None:
        event = request.event
        content_type = header(event, "content-type")
        if not is_json_media_type(content_type):
            raise UnsupportedBody(f"Content-Type must be application/json (got {content_type or 'none'}).")
        raw = _body_bytes(event)
        if len(raw) > max_body_bytes:
            raise BodyTooLarge(f"Request body is larger than the {max_body_bytes}-byte limit.")
        if not raw.strip():
            raise InvalidInput('Request body is empty; send a JSON object such as {"score": 42}.')
        try:
            event["body"] = json.loads(
                raw, parse_constant=_reject_constant, parse_float=Decimal, object_pairs_hook=_unique_keys
            )
        except _RepeatedKeyError as repeated:
            raise InvalidInput(f"Request body gives the key {repeated.key!r} more than once.") from None
        except (ValueError, RecursionError) as error:
            raise InvalidInput(f"Request body is not valid JSON: {_describe(error)}") from None

    return Hooks(before=before)


def _body_bytes(event: dict[str, Any]) -> bytes:
    request = APIGatewayProxyEvent(event)
    body = request.body
    if body is None:
        return b""
    if request.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("Request body is marked base64 but is not valid base64.") from None
    return str(body).encode("utf-8")


class _RepeatedKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"repeated key {key!r}")
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members; a key given twice is refused (which one a reader would take is anyone's guess)."""
    members: dict[str, Any] = {}
    for key, value in pairs:
        if key in members:
            raise _RepeatedKeyError(key)
        members[key] = value
    return members


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
